/**
 * Every calls route is served under Graph's v1.0 path, its deprecated beta
 * `/app` alias, and under the `/v1.0` and `/beta` prefixes that Graph SDK
 * clients put in front of their paths.
 */
export const CALLS_ROUTE_PREFIXES = ['', 'v1.0', 'beta'].flatMap((version) =>
  ['communications/calls', 'app/calls'].map((path) => (version ? `${version}/${path}` : path)),
);
