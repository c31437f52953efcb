export * from './media-simulation';
export * from './rtpengine/ng-client';
