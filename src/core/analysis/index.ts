export * from './advise.js';
export * from './cost.js';
export * from './measures.js';
export * from './scoring.js';
export * from './report.js';
