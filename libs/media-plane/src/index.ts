export * from './media-simulation';
