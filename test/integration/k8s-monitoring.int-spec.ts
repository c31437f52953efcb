import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';

const MONITORING = join(__dirname, '..', '..', 'k8s', 'monitoring');
const OPERATIONS = join(__dirname, '..', '..', 'docs', 'operations.md');

interface Rule {
  alert?: string;
  expr: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
const rule = parse(readFileSync(join(MONITORING, 'prometheusrule.yaml'), 'utf8')) as {
  spec: { groups: { name: string; rules: Rule[] }[] };
};
const alerts = rule.spec.groups.flatMap((group) => group.rules).filter((r) => r.alert);

/** The alerts of k8s/monitoring (Prometheus Operator), unit-tested with promtool from Debian's prometheus package. */
describe('monitoring alerts (promtool)', () => {
  it('fire on synthetic trouble and stay quiet on healthy series (promtool test rules)', () => {
    const directory = mkdtempSync(join(tmpdir(), 'calls-alerts-'));
    try {
      // promtool reads plain rule files: the PrometheusRule's spec is one.
      writeFileSync(join(directory, 'rules.yaml'), stringify({ groups: rule.spec.groups }));
      copyFileSync(join(MONITORING, 'tests', 'alerts.test.yaml'), join(directory, 'alerts.test.yaml'));
      execFileSync('promtool', ['check', 'rules', join(directory, 'rules.yaml')], { encoding: 'utf8' });
      const output = execFileSync('promtool', ['test', 'rules', join(directory, 'alerts.test.yaml')], {
        encoding: 'utf8',
      });
      expect(output).toContain('SUCCESS');
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });

  it('has a test that fires every alert and one that keeps it quiet', () => {
    const tests = parse(readFileSync(join(MONITORING, 'tests', 'alerts.test.yaml'), 'utf8')) as {
      tests: { alert_rule_test: { alertname: string; exp_alerts?: unknown[] }[] }[];
    };
    const cases = tests.tests.flatMap((group) => group.alert_rule_test);
    for (const { alert } of alerts) {
      const mine = cases.filter((c) => c.alertname === alert);
      expect({ alert, fires: mine.some((c) => (c.exp_alerts ?? []).length > 0) }).toEqual({ alert, fires: true });
      expect({ alert, quiet: mine.some((c) => (c.exp_alerts ?? []).length === 0) }).toEqual({ alert, quiet: true });
    }
  });

  it('gives every alert a severity, a summary and a runbook section in docs/operations.md', () => {
    const runbook = readFileSync(OPERATIONS, 'utf8');
    for (const { alert, labels, annotations } of alerts) {
      expect({ alert, severity: labels?.severity }).toEqual({
        alert,
        severity: expect.stringMatching(/^(page|ticket)$/),
      });
      expect(annotations?.summary).toBeTruthy();
      expect(annotations?.runbook_url).toBe(`docs/operations.md#${alert!.toLowerCase()}`);
      expect(runbook).toContain(`### ${alert}`);
    }
  });
});
