export * from './forest.js';
export * from './linear.js';
export * from './polynomial.js';
export * from './random.js';
export * from './regressor.js';
