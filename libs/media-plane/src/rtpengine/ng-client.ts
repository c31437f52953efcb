import { randomBytes } from 'node:crypto';
import { Socket, connect } from 'node:net';
import { bdecode, bencode, BencodeDictionary, IncompleteBencode } from './bencode';

/** What rtpengine answers to a command: `result` is `ok` (`pong` to a ping) and the rest depends on it. */
export type NgResponse = { readonly result: string } & Readonly<Record<string, unknown>>;

/** rtpengine answered `error` (its `error-reason` is the message), or did not answer. */
export class RtpengineError extends Error {
  constructor(
    message: string,
    readonly command: string,
  ) {
    super(`rtpengine ${command}: ${message}`);
  }
}

/** Prompt files posted to rtpengine at once; the rest wait their turn. */
const MAX_HTTP_IN_FLIGHT = 4;

interface Pending {
  readonly command: string;
  readonly resolve: (response: NgResponse) => void;
  readonly reject: (error: Error) => void;
  readonly timer: NodeJS.Timeout;
}

/**
 * A client of rtpengine's ng control protocol over TCP (`--listen-tcp-ng`):
 * each message is a cookie, a space and a bencoded dictionary, and the
 * answer carries the same cookie. TCP rather than UDP, which holds no more
 * than 64 KB.
 *
 * `play media` carries a whole prompt file as its blob, and rtpengine 10.5
 * closes a TCP ng connection on a message of more than 256 KiB (measured:
 * 248 KB played, 272 KB and above closed the connection), about 5 s of
 * the 24 kHz audio the gateway sends it. Given `httpUrl` (its `--listen-http`
 * listener's `/ng`), the client posts those commands there instead, as one
 * HTTP request each, which takes blobs of several MB (2.9 MB measured); every
 * other command stays on the TCP connection.
 *
 * jambonz's `rtpengine-client` was tried and is not used: it joins the
 * cookie and the bencoded message as text, which corrupts a binary blob,
 * drops any reply past 16 KiB, prints every reply to stdout and never
 * reconnects. This one connects on first use, reconnects on the next
 * command after the connection drops (failing the commands in flight), and
 * times each command out on its own.
 */
export class RtpengineClient {
  private socket: Socket | undefined;
  private connecting: Promise<Socket> | undefined;
  private buffered: Buffer = Buffer.alloc(0);
  private readonly pending = new Map<string, Pending>();
  private closed = false;
  /** HTTP commands in flight, and those waiting for one to end (see MAX_HTTP_IN_FLIGHT). */
  private httpInFlight = 0;
  private readonly httpWaiting: (() => void)[] = [];

  constructor(
    private readonly address: { readonly host: string; readonly port: number },
    private readonly timeoutMs = 5000,
    /** rtpengine's HTTP ng endpoint (`http://host:port/ng`), for commands with a blob. */
    private readonly httpUrl?: string,
    /** Told of every command that failed or went unanswered (for metrics). */
    private readonly onError: (error: RtpengineError) => void = () => undefined,
  ) {}

  /** `host:port`, as RTPENGINE_NG takes it. */
  static parseAddress(address: string): { host: string; port: number } {
    const match = /^(.+):(\d{1,5})$/.exec(address);
    if (!match) throw new Error(`rtpengine's ng address must be host:port, not "${address}"`);
    return { host: match[1].replace(/^\[(.*)\]$/, '$1'), port: Number(match[2]) };
  }

  /** Sends one command; resolves with the answer, rejects with an RtpengineError on `result: error`. */
  async request(message: BencodeDictionary & { readonly command: string }): Promise<NgResponse> {
    try {
      return await this.send(message);
    } catch (error) {
      if (error instanceof RtpengineError) this.onError(error);
      throw error;
    }
  }

  private async send(message: BencodeDictionary & { readonly command: string }): Promise<NgResponse> {
    if (this.httpUrl && Buffer.isBuffer(message.blob)) return this.post(message, this.httpUrl);
    const socket = await this.connection();
    const cookie = randomBytes(8).toString('hex');
    return new Promise<NgResponse>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(cookie);
        reject(new RtpengineError(`no answer within ${this.timeoutMs} ms`, message.command));
      }, this.timeoutMs);
      this.pending.set(cookie, { command: message.command, resolve, reject, timer });
      socket.write(Buffer.concat([Buffer.from(`${cookie} `), bencode(message)]));
    });
  }

  /**
   * One command as an HTTP request; rtpengine answers with the same framing
   * as on TCP. At most MAX_HTTP_IN_FLIGHT at once: rtpengine 10.5's HTTP
   * listener dropped connections and timed out with 100 prompt files posted
   * at once. 100 files of 20 s, 4 at a time, all played within 1.0 s, each
   * answered at most 22 ms after its first packet reached the caller (16 at
   * a time: 1.1 s, and up to 69 ms), which bounds the error of a stopped
   * prompt's played duration.
   */
  private async post(message: BencodeDictionary & { readonly command: string }, url: string): Promise<NgResponse> {
    if (this.httpInFlight >= MAX_HTTP_IN_FLIGHT) await new Promise<void>((resolve) => this.httpWaiting.push(resolve));
    this.httpInFlight += 1;
    try {
      return await this.postNow(message, url);
    } finally {
      this.httpInFlight -= 1;
      this.httpWaiting.shift()?.();
    }
  }

  private async postNow(message: BencodeDictionary & { readonly command: string }, url: string): Promise<NgResponse> {
    // A cookie of its own: rtpengine answers a cookie it has seen from its cache, as a retransmission.
    const cookie = randomBytes(8).toString('hex');
    let answer: Buffer;
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-rtpengine-ng' },
        body: Buffer.concat([Buffer.from(`${cookie} `), bencode(message)]),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      answer = Buffer.from(await response.arrayBuffer());
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
    } catch (error) {
      const reason = (error as Error & { cause?: Error }).cause?.message ?? (error as Error).message;
      throw new RtpengineError(`${reason} (${url})`, message.command);
    }
    const space = answer.indexOf(0x20);
    if (answer.toString('latin1', 0, space) !== cookie)
      throw new RtpengineError('answer for another cookie', message.command);
    const response = bdecode(answer, space + 1).value as NgResponse;
    if (response.result === 'error') {
      throw new RtpengineError(String(response['error-reason'] ?? 'error'), message.command);
    }
    return response;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.failAll(new Error('rtpengine client closed'));
    this.socket?.destroy();
    this.socket = undefined;
  }

  private connection(): Promise<Socket> {
    if (this.closed) return Promise.reject(new Error('rtpengine client closed'));
    if (this.socket) return Promise.resolve(this.socket);
    this.connecting ??= new Promise<Socket>((resolve, reject) => {
      const socket = connect(this.address.port, this.address.host);
      socket.setNoDelay(true);
      socket.once('connect', () => {
        this.socket = socket;
        this.connecting = undefined;
        resolve(socket);
      });
      socket.on('data', (chunk) => this.received(chunk));
      socket.once('error', (error) => {
        this.connecting = undefined;
        reject(new RtpengineError(`${error.message} (${this.address.host}:${this.address.port})`, 'connect'));
      });
      socket.once('close', () => {
        if (this.socket === socket) this.socket = undefined;
        this.buffered = Buffer.alloc(0);
        this.failAll(new RtpengineError('the connection closed', 'connect'));
      });
    });
    return this.connecting;
  }

  private received(chunk: Buffer): void {
    this.buffered = this.buffered.length ? Buffer.concat([this.buffered, chunk]) : chunk;
    for (;;) {
      const space = this.buffered.indexOf(0x20);
      if (space < 0) return;
      let decoded;
      try {
        decoded = bdecode(this.buffered, space + 1);
      } catch (error) {
        if (error instanceof IncompleteBencode) return;
        // Out of step with the stream: start again on a new connection.
        this.socket?.destroy();
        return;
      }
      const cookie = this.buffered.toString('latin1', 0, space);
      this.buffered = this.buffered.subarray(decoded.end);
      const waiting = this.pending.get(cookie);
      if (!waiting) continue; // it timed out already
      this.pending.delete(cookie);
      clearTimeout(waiting.timer);
      const response = decoded.value as NgResponse;
      if (response.result === 'error') {
        waiting.reject(new RtpengineError(String(response['error-reason'] ?? 'error'), waiting.command));
      } else {
        waiting.resolve(response);
      }
    }
  }

  private failAll(error: Error): void {
    for (const [cookie, waiting] of this.pending) {
      clearTimeout(waiting.timer);
      this.pending.delete(cookie);
      waiting.reject(error);
    }
  }
}
