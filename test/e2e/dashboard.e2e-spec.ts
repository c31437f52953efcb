import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Deployment, startDeployment } from '../support/deployment';
import { CREATE_CALL_BODY, PROMPT } from '../support/test-app';
import { until } from '../support/waits';

const DASHBOARD = join(__dirname, '..', '..', 'k8s', 'monitoring', 'dashboards', 'calls-service.json');

interface Panel {
  title: string;
  targets: { expr: string }[];
}

/** Metric names in a PromQL expression: in these queries a metric is always followed by a selector or a range. */
export function metricsOf(expr: string): string[] {
  return [...expr.matchAll(/\b([a-zA-Z_:][a-zA-Z0-9_:]*)\s*[{[]/g)].map((match) => match[1]);
}

/** The series names a /metrics page can hold: every declared metric, a histogram's as Prometheus stores them. */
function exported(page: string): Set<string> {
  const names = new Set<string>();
  for (const [, name, type] of page.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    names.add(name);
    if (type === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) names.add(name + suffix);
    if (type === 'summary') for (const suffix of ['_sum', '_count']) names.add(name + suffix);
  }
  return names;
}

/**
 * The Grafana dashboard of k8s/monitoring against what the compiled service
 * and notifier really export, scraped while they work (processes,
 * PostgreSQL, RabbitMQ): a panel that names a metric nobody exports fails
 * here, so the dashboard cannot rot silently.
 */
describe('the Grafana dashboard against live metrics (processes, PostgreSQL, RabbitMQ)', () => {
  let deployment: Deployment;

  beforeAll(async () => {
    deployment = await startDeployment('dashboard', { notifier: true });
  }, 180_000);

  afterAll(async () => {
    await deployment?.stop();
  });

  it('names in every panel only metrics the running service and notifier export', async () => {
    // Some work first, so the service has served, cancelled and published, and the notifier has delivered.
    const base = deployment.serviceUrl;
    const token = deployment.token();
    const post = (path: string, body: object) =>
      fetch(`${base}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const created = await post('/communications/calls', CREATE_CALL_BODY);
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    await until(async () => {
      const call = await fetch(`${base}/communications/calls/${id}`, { headers: { authorization: `Bearer ${token}` } });
      return ((await call.json()) as { state: string }).state === 'established';
    });
    expect((await post(`/communications/calls/${id}/playPrompt`, { prompts: [PROMPT] })).status).toBe(200);
    expect((await post(`/communications/calls/${id}/cancelMediaProcessing`, {})).status).toBe(200);
    const scrape = async (url: string) => (await fetch(`${url}/metrics`)).text();
    await until(async () => /^notifier_deliveries_total\{/m.test(await scrape(deployment.notifierUrl!)));

    // The cancel was counted, with the one prompt it ended.
    expect(await scrape(deployment.serviceUrl)).toMatch(/^cancel_ended_operations_sum 1$/m);
    const available = new Set([
      ...exported(await scrape(deployment.serviceUrl)),
      ...exported(await scrape(deployment.notifierUrl!)),
    ]);
    const panels = (JSON.parse(readFileSync(DASHBOARD, 'utf8')) as { panels: Panel[] }).panels;
    expect(panels.length).toBeGreaterThanOrEqual(12);
    for (const panel of panels) {
      const named = panel.targets.flatMap((target) => metricsOf(target.expr));
      expect({ panel: panel.title, queries: named.length > 0 }).toEqual({ panel: panel.title, queries: true });
      const missing = named.filter((name) => !available.has(name));
      expect({ panel: panel.title, missing }).toEqual({ panel: panel.title, missing: [] });
    }
  });

  it('reads metric names out of queries the way the dashboard writes them', () => {
    expect(metricsOf('sum by (route, le) (rate(http_request_duration_seconds_bucket[5m]))')).toEqual([
      'http_request_duration_seconds_bucket',
    ]);
    expect(metricsOf('max(outbox_backlog{}) / sum(rate(no_such_metric_total{a="b"}[1m]))')).toEqual([
      'outbox_backlog',
      'no_such_metric_total',
    ]);
  });
});
