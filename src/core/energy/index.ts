export * from './attribution.js';
export * from './counters.js';
export * from './estimator.js';
export * from './figures.js';
export * from './stats.js';
