// The demo's producers: EventMix's realistic stream of every Tab type, recorded
// at a steady rate by one TabClient per mix client (bidder-1 ... bidder-N),
// as that many application instances would.
import { EventMix, TabClient, type TabClientKafkaOptions, type TabSendError } from '../../client';

export interface DemoTrafficOptions {
  brokers: string[];
  topic: string;
  clients: number;
  /** Events per second, all clients together. */
  rate: number;
  seed?: number;
  /** Kafka connection settings (TLS, SASL) of the clients. */
  kafka?: TabClientKafkaOptions;
}

const TICK_MS = 100;

export class DemoTraffic {
  readonly mix: EventMix;
  private readonly clients = new Map<string, TabClient>();
  private timer: NodeJS.Timeout | null = null;
  private startedAt = 0;
  private lastError: Error | null = null;

  constructor(private readonly opts: DemoTrafficOptions) {
    this.mix = new EventMix({ seed: opts.seed, clients: opts.clients });
    for (const clientId of this.mix.clients) {
      this.clients.set(
        clientId,
        new TabClient({
          brokers: opts.brokers,
          topic: opts.topic,
          clientId,
          ...(opts.kafka && { kafka: opts.kafka }),
          onSendError: (err: TabSendError) => void (this.lastError = err),
        }),
      );
    }
  }

  /** How many distinct Tabs and types the mix records. */
  get catalogue(): { tabs: number; types: number } {
    return { tabs: this.mix.tabs.length, types: new Set(this.mix.tabs.map((t) => t.type)).size };
  }

  /** Events Kafka acknowledged so far. */
  get sent(): number {
    let sent = 0;
    for (const c of this.clients.values()) sent += c.stats().sent;
    return sent;
  }

  /** The last background send failure (the events stay buffered and are sent again). */
  get error(): Error | null {
    return this.lastError;
  }

  async start(): Promise<void> {
    await Promise.all([...this.clients.values()].map((c) => c.connect()));
    this.startedAt = Date.now();
    this.timer = setInterval(() => this.tick(), TICK_MS);
  }

  /** Stops recording and resolves once Kafka acknowledged every recorded event. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await Promise.all([...this.clients.values()].map((c) => c.close()));
  }

  /** Records what the rate owes up to now, so a late timer catches up instead of drifting. */
  private tick(): void {
    const due = Math.floor(((Date.now() - this.startedAt) * this.opts.rate) / 1000) - this.mix.count;
    for (let i = 0; i < due; i++) {
      const e = this.mix.next();
      this.clients.get(e.client)!.tab<number | string>(e.tab, e.type).record(e.value);
    }
  }
}
