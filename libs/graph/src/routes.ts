/**
 * Every calls route is served under Graph's v1.0 path, its deprecated beta
 * `/app` alias, and under the `/v1.0` and `/beta` prefixes that Graph SDK
 * clients put in front of their paths.
 */
export const CALLS_ROUTE_PREFIXES = ['', 'v1.0', 'beta'].flatMap((version) =>
  ['communications/calls', 'app/calls'].map((path) => (version ? `${version}/${path}` : path)),
);

/** The OData namespace of Graph's types and actions. */
export const GRAPH_NAMESPACE = 'microsoft.graph';

/**
 * The paths of a bound action on a call: its plain name and its
 * namespace-qualified name. OData lets a client call a bound action either
 * way; Graph's sendDtmfTones page posts `.../microsoft.graph.sendDtmfTones`
 * (https://learn.microsoft.com/en-us/graph/api/call-senddtmftones), and the
 * .NET Communications SDK behind Microsoft's calling samples posts
 * `.../microsoft.graph.answer` and `.../microsoft.graph.playPrompt`.
 */
export function callActionPaths(action: string): string[] {
  return [`:callId/${action}`, `:callId/${GRAPH_NAMESPACE}.${action}`];
}
