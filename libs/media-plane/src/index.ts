export * from './media-report.contracts';
export * from './media-simulation';
