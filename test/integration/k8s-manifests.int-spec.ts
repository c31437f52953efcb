import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';

interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
  spec?: Record<string, unknown>;
  data?: Record<string, string>;
}

interface Container {
  name: string;
  image: string;
  args?: string[];
  ports?: { name: string; containerPort: number }[];
  readinessProbe?: { httpGet: { path: string; port: string } };
  livenessProbe?: { httpGet: { path: string; port: string } };
  resources?: { requests?: object; limits?: object };
  securityContext?: {
    allowPrivilegeEscalation?: boolean;
    readOnlyRootFilesystem?: boolean;
    capabilities?: { drop?: string[] };
  };
}

interface PodSpec {
  containers: Container[];
  terminationGracePeriodSeconds?: number;
  securityContext?: { runAsNonRoot?: boolean; seccompProfile?: { type: string } };
  affinity?: { podAntiAffinity?: unknown };
}

const ROOT = join(__dirname, '..', '..');

/** Renders an overlay with kustomize (kubectl's), as `kubectl apply -k` would. */
function render(overlay: string): Manifest[] {
  const yaml = execFileSync('kubectl', ['kustomize', join(ROOT, 'k8s', 'overlays', overlay)], { encoding: 'utf8' });
  return parseAllDocuments(yaml).map((doc) => doc.toJSON() as Manifest);
}

/**
 * The kubernetes-models class for an object, which validates it against the
 * Kubernetes schema; the Prometheus Operator's kinds (k8s/monitoring) against
 * its CRDs' schemas.
 */
function validate(manifest: Manifest): void {
  const models = manifest.apiVersion.startsWith('monitoring.coreos.com/')
    ? '@kubernetes-models/prometheus-operator'
    : 'kubernetes-models';
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const module = require(`${models}/${manifest.apiVersion}/${manifest.kind}`);
  const Model = module[manifest.kind] ?? module.default;
  new Model(manifest).validate();
}

const podSpecOf = (manifest: Manifest): PodSpec => (manifest.spec as { template: { spec: PodSpec } }).template.spec;

describe.each(['dev', 'prod'])('k8s overlay %s', (overlay) => {
  const manifests = render(overlay);
  const of = (kind: string) => manifests.filter((m) => m.kind === kind);
  const workloads = [...of('Deployment'), ...of('Job')];
  const containers = workloads.flatMap((w) => podSpecOf(w).containers);

  it('holds only objects valid against the Kubernetes schemas', () => {
    expect(manifests.length).toBeGreaterThan(8);
    for (const manifest of manifests) expect(() => validate(manifest)).not.toThrow();
    expect(new Set(manifests.map((m) => m.kind))).toEqual(
      new Set([
        'ServiceAccount',
        'ConfigMap',
        'Job',
        'Deployment',
        'Service',
        'HorizontalPodAutoscaler',
        'PodDisruptionBudget',
        'NetworkPolicy',
        // The monitoring and media components (k8s/monitoring, k8s/media), in production only.
        ...(overlay === 'prod' ? ['ServiceMonitor', 'PodMonitor', 'PrometheusRule', 'StatefulSet', 'DaemonSet'] : []),
      ]),
    );
  });

  if (overlay === 'prod')
    it('scrapes what exists: the ServiceMonitor selects the service by its labels and port, the PodMonitor the notifier pods', () => {
      const service = of('Service').find((m) => m.metadata.name === 'calls-service')! as Manifest & {
        metadata: { labels: Record<string, string> };
        spec: { ports: { name: string }[] };
      };
      const [serviceMonitor] = of('ServiceMonitor') as (Manifest & {
        spec: { selector: { matchLabels: Record<string, string> }; endpoints: { port: string; path: string }[] };
      })[];
      expect(service.metadata.labels).toMatchObject(serviceMonitor.spec.selector.matchLabels);
      expect(service.spec.ports.map((p) => p.name)).toContain(serviceMonitor.spec.endpoints[0].port);
      expect(serviceMonitor.spec.endpoints[0].path).toBe('/metrics');

      const notifier = of('Deployment').find((m) => m.metadata.name === 'calls-notifier')!;
      const template = (notifier.spec as { template: { metadata: { labels: Record<string, string> } } }).template;
      const podMonitor = of('PodMonitor').find((m) => m.metadata.name === 'calls-notifier') as Manifest & {
        spec: { selector: { matchLabels: Record<string, string> }; podMetricsEndpoints: { port: string }[] };
      };
      expect(template.metadata.labels).toMatchObject(podMonitor.spec.selector.matchLabels);
      expect(podSpecOf(notifier).containers[0].ports!.map((p) => p.name)).toContain(
        podMonitor.spec.podMetricsEndpoints[0].port,
      );

      // The dashboard, where Grafana's sidecar looks for one.
      const dashboard = of('ConfigMap').find((m) => m.metadata.name === 'calls-service-dashboard')! as Manifest & {
        metadata: { labels: Record<string, string> };
      };
      expect(dashboard.metadata.labels).toMatchObject({ grafana_dashboard: '1' });
      expect(JSON.parse(dashboard.data!['calls-service.json'])).toMatchObject({ uid: 'calls-service' });
    });

  it('runs one image for every workload, with the entry points the build produces', () => {
    expect(new Set(containers.map((c) => c.image)).size).toBe(1);
    const packageJson = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    const scripts = Object.values(packageJson.scripts).join('\n');
    for (const container of containers) {
      for (const entry of container.args ?? []) expect(scripts).toContain(entry);
    }
  });

  it('probes real routes on the port each app listens on', () => {
    const port = Number(of('ConfigMap')[0].data!.PORT);
    const sources: Record<string, string> = {
      'calls-service': readFileSync(join(ROOT, 'apps/calls-service/src/health/health.controller.ts'), 'utf8'),
      'calls-notifier': readFileSync(join(ROOT, 'apps/notifier/src/ops-server.ts'), 'utf8'),
    };
    for (const deployment of of('Deployment')) {
      const [container] = podSpecOf(deployment).containers;
      const source = sources[deployment.metadata.name];
      expect(container.ports).toEqual([{ name: 'http', containerPort: port }]);
      for (const probe of [container.readinessProbe!, container.livenessProbe!]) {
        expect(probe.httpGet.port).toBe('http');
        const route = probe.httpGet.path;
        const served =
          source.includes(`@Get('${route.replace('/health/', '')}')`) || source.includes(`case '${route}'`);
        expect({ deployment: deployment.metadata.name, route, served }).toEqual({
          deployment: deployment.metadata.name,
          route,
          served: true,
        });
      }
    }
    const svc = of('Service').find((m) => m.metadata.name === 'calls-service') as unknown as {
      spec: { ports: { targetPort: string }[] };
    };
    expect(svc.spec.ports[0].targetPort).toBe('http');
  });

  it('locks every container down and lets the service finish its work on shutdown', () => {
    const grace = Number(of('ConfigMap')[0].data!.SHUTDOWN_GRACE_MS) / 1000;
    for (const workload of [...workloads, ...of('StatefulSet'), ...of('DaemonSet')]) {
      const pod = podSpecOf(workload);
      expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
      for (const container of pod.containers) {
        expect(container.securityContext).toEqual({
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
          capabilities: { drop: ['ALL'] },
        });
        expect(container.resources?.requests).toBeDefined();
        expect(container.resources?.limits).toBeDefined();
      }
    }
    for (const deployment of of('Deployment')) {
      const spec = deployment.spec as { strategy: { rollingUpdate: { maxUnavailable: number } } };
      expect(spec.strategy.rollingUpdate.maxUnavailable).toBe(0);
      expect(podSpecOf(deployment).terminationGracePeriodSeconds).toBeGreaterThan(grace);
      expect(podSpecOf(deployment).affinity?.podAntiAffinity).toBeTruthy();
    }
  });

  it('keeps secret values out of git: only references to a Secret', () => {
    expect(of('Secret')).toEqual([]);
    const config = of('ConfigMap')[0].data!;
    for (const name of ['DATABASE_URL', 'AMQP_URL', 'REDIS_URL', 'NOTIFICATION_SIGNING_KEY'])
      expect(config[name]).toBeUndefined();
    for (const workload of workloads) {
      const refs = JSON.stringify(podSpecOf(workload).containers.map((c) => (c as { envFrom?: unknown }).envFrom));
      expect(refs).toContain('calls-service-secrets');
    }
  });

  it('names the public https address bots reach, so Location headers behind the ingress point there', () => {
    expect(of('ConfigMap')[0].data!.PUBLIC_BASE_URL).toMatch(/^https:\/\/[a-z0-9.-]+$/);
  });

  it('lets each Deployment reach the trace collector the configuration names, if any', () => {
    const endpoint = of('ConfigMap')[0].data!.OTEL_EXPORTER_OTLP_ENDPOINT;
    if (overlay === 'prod') expect(endpoint).toMatch(/^https?:\/\//);
    if (!endpoint) return;
    const port = Number(new URL(endpoint).port || (endpoint.startsWith('https') ? 443 : 80));
    for (const deployment of of('Deployment')) {
      const name = deployment.metadata.name;
      const labels = (deployment.spec as { template: { metadata: { labels: Record<string, string> } } }).template
        .metadata.labels;
      const policies = of('NetworkPolicy').filter((policy) =>
        Object.entries(
          (policy.spec as { podSelector: { matchLabels: Record<string, string> } }).podSelector.matchLabels,
        ).every(([key, value]) => labels[key] === value),
      );
      const egressPorts = policies.flatMap((policy) =>
        ((policy.spec as { egress?: { ports?: { port: number }[] }[] }).egress ?? []).flatMap((rule) =>
          (rule.ports ?? []).map((p) => p.port),
        ),
      );
      expect({ name, reaches: egressPorts.includes(port) }).toEqual({ name, reaches: true });
    }
  });
});

describe('k8s media component (prod)', () => {
  const manifests = render('prod');
  const named = (kind: string, name: string) => manifests.find((m) => m.kind === kind && m.metadata.name === name)!;
  const gateway = named('StatefulSet', 'calls-media-gateway');
  const rtpengine = named('DaemonSet', 'calls-rtpengine');
  const [gatewayContainer] = podSpecOf(gateway).containers;
  const [engineContainer] = podSpecOf(rtpengine).containers;
  const env = (container: Container) =>
    Object.fromEntries(
      ((container as { env?: { name: string; value?: string }[] }).env ?? []).map((e) => [e.name, e.value]),
    );

  it("runs the gateway from the service's image, with its entry point, and the service with MEDIA_PLANE=broker", () => {
    const service = podSpecOf(named('Deployment', 'calls-service')).containers[0];
    expect(gatewayContainer.image).toBe(service.image);
    const scripts = readFileSync(join(ROOT, 'package.json'), 'utf8');
    expect(scripts).toContain(gatewayContainer.args![0]);
    expect(named('ConfigMap', 'calls-service-config').data!.MEDIA_PLANE).toBe('broker');
    expect(named('ConfigMap', 'calls-service-config').data!.MEDIA_GATEWAY_PUBLIC_URL).toMatch(/^https:\/\//);
  });

  it("gives each gateway replica its own queue, and its node's rtpengine", () => {
    expect(env(gatewayContainer).MEDIA_GATEWAY_QUEUE).toContain('$(POD_NAME)');
    expect(env(gatewayContainer).RTPENGINE_NG).toBe('$(HOST_IP):22222');
    expect(engineContainer.args).toEqual(
      expect.arrayContaining(['--listen-tcp-ng=$(HOST_IP):22222', '--listen-ng=$(HOST_IP):22222']),
    );
    expect((rtpengine.spec as { template: { spec: { hostNetwork: boolean } } }).template.spec.hostNetwork).toBe(true);
    expect(engineContainer.image).toMatch(/^calls-rtpengine:/);
  });

  it('probes routes the gateway serves, on the port it listens on', () => {
    const source = readFileSync(join(ROOT, 'apps/media-gateway/src/edge/edge-api.ts'), 'utf8');
    expect(gatewayContainer.ports).toEqual([
      { name: 'http', containerPort: Number(env(gatewayContainer).MEDIA_GATEWAY_PORT) },
    ]);
    for (const probe of [gatewayContainer.readinessProbe!, gatewayContainer.livenessProbe!]) {
      expect(source).toContain(`app.get('${probe.httpGet.path}'`);
    }
  });

  it('lets only the edge, the ingress and Prometheus reach the gateway API, and the gateway reach rtpengine', () => {
    const policy = named('NetworkPolicy', 'calls-media-gateway').spec as {
      ingress: { from?: unknown[]; ports: { port: number; protocol: string }[] }[];
      egress: { ports: { port: number }[] }[];
    };
    const api = policy.ingress.find((rule) => rule.ports.some((p) => p.port === 3100))!;
    expect(JSON.stringify(api.from)).toContain('calls.example.com/media-edge');
    expect(api.from).toHaveLength(3);
    expect(policy.egress.flatMap((rule) => rule.ports.map((p) => p.port))).toContain(22222);
  });

  it('scrapes the gateway pods', () => {
    const monitor = named('PodMonitor', 'calls-media-gateway').spec as {
      selector: { matchLabels: Record<string, string> };
      podMetricsEndpoints: { port: string }[];
    };
    const labels = (gateway.spec as { template: { metadata: { labels: Record<string, string> } } }).template.metadata
      .labels;
    expect(labels).toMatchObject(monitor.selector.matchLabels);
    expect(monitor.podMetricsEndpoints[0].port).toBe('http');
  });
});
