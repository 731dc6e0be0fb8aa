/**
 * The few Prometheus counters and gauges an agent exposes, in the text format (0.0.4).
 * prom-client's CommonJS package cost the agent a few MiB of resident memory for
 * features it never used (histograms, summaries, clusters, default metrics); this is the
 * part it used, same names and text, checked by promtool in tests/unit/agent-metrics.test.ts.
 */

type Labels = Record<string, string>;

interface MetricOptions {
  name: string;
  help: string;
  labelNames?: readonly string[];
  /** The registries that expose it (none: it counts, unseen). */
  registers: Registry[];
}

const escapeLabel = (value: string) => value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
const escapeHelp = (text: string) => text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
const formatValue = (v: number) => (v === Number.POSITIVE_INFINITY ? '+Inf' : v === Number.NEGATIVE_INFINITY ? '-Inf' : String(v));

abstract class Metric {
  readonly name: string;
  readonly #help: string;
  readonly #labelNames: readonly string[];
  /** Series by their label text (`{a="1"}`, or '' without labels), in the order first seen. */
  protected readonly series = new Map<string, { labels: Labels; value: number }>();

  constructor(
    options: MetricOptions,
    readonly type: 'counter' | 'gauge',
  ) {
    this.name = options.name;
    this.#help = options.help;
    this.#labelNames = options.labelNames ?? [];
    for (const registry of options.registers) registry.register(this);
  }

  protected key(labels: Labels | undefined): string {
    const names = Object.keys(labels ?? {});
    for (const name of names) if (!this.#labelNames.includes(name)) throw new Error(`${this.name} has no label ${name}`);
    if (!labels || names.length === 0) return '';
    // The declared order, so {a,b} and {b,a} are one series.
    const parts = this.#labelNames.filter((n) => labels[n] !== undefined).map((n) => `${n}="${escapeLabel(labels[n] as string)}"`);
    return `{${parts.join(',')}}`;
  }

  /** Runs before each exposition (gauges that read their value then). */
  collect(): void {}

  text(): string {
    this.collect();
    const lines = [`# HELP ${this.name} ${escapeHelp(this.#help)}`, `# TYPE ${this.name} ${this.type}`];
    // A metric without labels shows 0 before its first change, as prom-client does.
    if (this.series.size === 0 && this.#labelNames.length === 0) lines.push(`${this.name} 0`);
    for (const [key, { value }] of this.series) lines.push(`${this.name}${key} ${formatValue(value)}`);
    return lines.join('\n');
  }

  /** The series' values, as prom-client's `get()` gives them (bench/soak-agents.ts reads counters so). */
  async get(): Promise<{ values: { value: number; labels: Labels }[] }> {
    this.collect();
    return { values: [...this.series.values()].map(({ labels, value }) => ({ labels: { ...labels }, value })) };
  }

  protected add(labels: Labels | undefined, value: number, replace: boolean): void {
    const key = this.key(labels);
    const current = this.series.get(key);
    if (current) current.value = replace ? value : current.value + value;
    else this.series.set(key, { labels: { ...labels }, value });
  }
}

export class Counter extends Metric {
  constructor(options: MetricOptions) {
    super(options, 'counter');
  }

  inc(labels?: Labels | number, value?: number): void {
    const [l, v] = typeof labels === 'number' ? [undefined, labels] : [labels, value ?? 1];
    if (!(v >= 0)) throw new Error(`${this.name}: a counter only goes up`);
    this.add(l, v, false);
  }
}

export class Gauge extends Metric {
  readonly #collect: ((this: Gauge) => void) | undefined;

  constructor(options: MetricOptions & { collect?: (this: Gauge) => void }) {
    super(options, 'gauge');
    this.#collect = options.collect;
  }

  set(labels: Labels | number, value?: number): void {
    const [l, v] = typeof labels === 'number' ? [undefined, labels] : [labels, value ?? 0];
    this.add(l, v, true);
  }

  override collect(): void {
    this.#collect?.call(this);
  }
}

export class Registry {
  readonly contentType = 'text/plain; version=0.0.4; charset=utf-8';
  readonly #metrics = new Map<string, Metric>();

  register(metric: Metric): void {
    if (this.#metrics.has(metric.name)) throw new Error(`${metric.name} is registered already`);
    this.#metrics.set(metric.name, metric);
  }

  async metrics(): Promise<string> {
    return `${[...this.#metrics.values()].map((m) => m.text()).join('\n\n')}\n`;
  }

  async getSingleMetricAsString(name: string): Promise<string> {
    return this.#metrics.get(name)?.text() ?? '';
  }
}
