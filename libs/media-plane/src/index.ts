export * from './media-simulation';
export * from './rtpengine/ng-client';
export * from './recordings/recording-store';
export * from './recordings/recordings';
export * from './rtp-sequence';
