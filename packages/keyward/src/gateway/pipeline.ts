// The gateway's request path (README.md draws it): route → authenticate → canonicalise → classify
// → decide → audit → sign → forward → stream → audit the outcome. Each step either hands on or
// ends with a Refusal rendered in the exchange's own error format. Nothing is signed before its
// decision is durably in the audit log, and a request that cannot be audited is refused.
import { isPolicyError, parsePolicy, type Policy } from '@keyward/protocol/policy';
import type { AuditLog, DecisionRecord } from '../audit/index.js';
import type { Classification, ExchangeAdapter, ExchangeRequest, RefusalKind } from '../exchanges/index.js';
import { decideChain, orderNotional, type ChainLink } from '../policy/index.js';
import type { TokenService } from '../tokens/index.js';
import type { KeyHandle, NonceKeeper } from '../vault/index.js';
import { canonicalise } from './canonicalise.js';
import type { Forwarder, UpstreamResponse } from './forward.js';
import { depthWithin, midPrice, type MarketData } from './market-data.js';
import { presentedToken, withoutToken } from './token-location.js';
import type { UsageTracker } from './usage.js';

/** A credential the gateway can sign with: unlocked, in secure memory. */
export interface SigningCredential {
  readonly id: string;
  readonly name: string;
  readonly exchange: string;
  readonly key: KeyHandle;
}

export interface PipelineDeps {
  readonly adapter: (exchange: string) => ExchangeAdapter | undefined;
  readonly upstream: (exchange: string) => string | undefined;
  readonly tokens: Pick<TokenService, 'verify'>;
  /**
   * The unlocked credential of an account by name; undefined when locked or unknown. `token` is
   * the verified token (its accessor and the value presented), for credentials bound to a token.
   */
  readonly credential: (accountId: string, name: string, token: { accessor: string; value: string } | null) => SigningCredential | undefined | Promise<SigningCredential | undefined>;
  readonly isLocked: () => boolean;
  readonly audit: Pick<AuditLog, 'append' | 'appendLater'>;
  /** The account audited for requests that carry no valid token. */
  readonly anonymousAccount: string;
  readonly usage: UsageTracker;
  readonly market: MarketData;
  readonly nonces: NonceKeeper;
  readonly forwarder: Forwarder;
  readonly now: () => number;
}

export interface IncomingRequest {
  readonly method: string;
  /** The raw URL as received, including the /<exchange> prefix. */
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
  readonly sourceIp: string;
}

export type Outcome =
  | { readonly kind: 'refused'; readonly status: number; readonly headers: Readonly<Record<string, string>>; readonly body: string }
  | { readonly kind: 'forwarded'; readonly response: UpstreamResponse; readonly finish: (error: string | null) => void };

interface RefusalSpec { kind: RefusalKind; code: string; message: string }

function refusedWith(adapter: ExchangeAdapter | undefined, r: RefusalSpec): Outcome {
  if (adapter === undefined) {
    return { kind: 'refused', status: 404, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ error: `Keyward ${r.code}: ${r.message}` }) };
  }
  const e = adapter.renderError(r);
  return { kind: 'refused', status: e.status, headers: e.headers, body: e.body };
}

function orderFields(c: Classification): DecisionRecord['order'] {
  if (c.order === null) return null;
  const o = c.order;
  return { symbol: o.symbol, side: o.side, type: o.type, quantity: o.quantity, price: o.price, quoteQuantity: o.quoteQuantity, notional: o.notional };
}

/** What is known of a request when its decision is recorded. */
interface Seen {
  readonly exchange: string;
  readonly method: string;
  readonly path: string;
  readonly sourceIp: string;
  /** The verified token's accessor; null when there is none. */
  readonly token: string | null;
}

function decisionRecord(at: number, seen: Seen, c: Classification | null, decision: 'allow' | 'deny', reason: string | null, credential: string | null): DecisionRecord {
  return {
    kind: 'decision', at, token: seen.token, credential, exchange: seen.exchange, method: seen.method, path: seen.path.slice(0, 512),
    action: c?.action ?? 'unknown', endpoint: c?.endpoint.slice(0, 512) ?? `${seen.method} ${seen.path.slice(0, 500)}`,
    order: c === null ? null : orderFields(c), decision, reason, sourceIp: seen.sourceIp,
  };
}

/** A book is fetched only when a limit needs it: a band, a cap, or a market order's depth check. */
function needsBook(chain: readonly { policy: Policy }[], order: Classification['order']): boolean {
  if (order?.type.includes('market') === true) return true;
  for (const l of chain) {
    if (l.policy.priceBandPercent !== null || l.policy.maxOrderNotional !== null || l.policy.maxDailyNotional !== null) return true;
  }
  return false;
}

export function createPipeline(deps: PipelineDeps) {
  // Stored policies are immutable text: parse each once.
  const policies = new Map<string, Policy | null>();
  const policyOf = (text: string): Policy | null => {
    let p = policies.get(text);
    if (p === undefined) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = null;
      }
      const r = parsePolicy(parsed);
      p = isPolicyError(r) ? null : r;
      if (policies.size > 10_000) policies.clear();
      policies.set(text, p);
    }
    return p;
  };

  /** The decision's sequence number once it is committed; null when it cannot be written. */
  async function auditDecision(accountId: string, record: DecisionRecord): Promise<number | null> {
    try {
      return await deps.audit.append(accountId, record);
    } catch {
      return null;
    }
  }

  /** `dry`: a check that sends nothing (an order preview) writes no audit record either. */
  async function refuse(dry: boolean, adapter: ExchangeAdapter, accountId: string, seen: Seen, c: Classification | null, spec: RefusalSpec, credential: string | null = null): Promise<Outcome> {
    if (!dry) await auditDecision(accountId, decisionRecord(deps.now(), seen, c, 'deny', spec.code, credential));
    return refusedWith(adapter, spec);
  }

  /** For requests the HTTP layer refuses before the pipeline (a body over the limit, a bad URL). */
  async function refuseEarly(incoming: Omit<IncomingRequest, 'body'>, spec: RefusalSpec): Promise<Outcome> {
    const exchange = incoming.url.slice(1).split(/[/?]/)[0] ?? '';
    const adapter = deps.adapter(exchange);
    await auditDecision(deps.anonymousAccount, {
      kind: 'decision', at: deps.now(), token: null, credential: null, exchange, method: incoming.method, path: incoming.url.split('?')[0]?.slice(0, 512) ?? '', action: 'unknown',
      endpoint: `${incoming.method} ${incoming.url.slice(0, 500)}`, order: null, decision: 'deny', reason: spec.code, sourceIp: incoming.sourceIp,
    });
    return refusedWith(adapter, spec);
  }

  /**
   * The whole path (`dry` false), or only up to the decision (`dry` true: an order preview): no
   * audit record, no usage reserved, nothing signed or sent. One function, so the preview decides
   * exactly as the real request will be decided.
   */
  async function run(incoming: IncomingRequest, dry: boolean): Promise<Outcome | { kind: 'checked' }> {
    const slash = incoming.url.indexOf('/', 1);
    const exchange = incoming.url.slice(1, slash < 0 ? incoming.url.length : slash).split('?')[0] ?? '';
    const adapter = deps.adapter(exchange);
    const upstream = deps.upstream(exchange);
    if (adapter === undefined || upstream === undefined) {
      return refusedWith(undefined, { kind: 'invalid', code: 'KW_GATEWAY_UNKNOWN_EXCHANGE', message: `no exchange "${exchange.slice(0, 30)}" here; use /<exchange>/<the exchange's own path>` });
    }
    const rest = slash < 0 ? '/' : incoming.url.slice(slash);
    const canonical = canonicalise(rest, incoming.headers.connection);
    const req: ExchangeRequest = {
      method: incoming.method.toUpperCase(),
      path: canonical.ok ? canonical.path : rest.split('?')[0] ?? '',
      query: canonical.ok ? canonical.query : '',
      headers: incoming.headers,
      body: incoming.body,
    };
    const token = presentedToken(exchange, req);
    if (token !== undefined && deps.isLocked()) {
      const seen: Seen = { exchange, method: req.method, path: req.path, sourceIp: incoming.sourceIp, token: null };
      return refuse(dry, adapter, deps.anonymousAccount, seen, null, { kind: 'unavailable', code: 'KW_VAULT_LOCKED', message: 'the Keyward agent is locked; unlock it to sign' });
    }
    const verified = token === undefined ? null : await deps.tokens.verify(token, dry ? { consume: false } : {});
    const accountId = verified?.ok === true ? verified.token.accountId : deps.anonymousAccount;
    const seen: Seen = { exchange, method: req.method, path: req.path, sourceIp: incoming.sourceIp, token: verified?.ok === true ? verified.token.accessor : null };

    if (!canonical.ok) return refuse(dry, adapter, accountId, seen, null, { kind: 'invalid', code: 'KW_GATEWAY_AMBIGUOUS', message: canonical.reason });
    const classification = adapter.classify(req);

    if (token === undefined) {
      // Market data needs no key: forwarded unsigned, and audited like everything else.
      if (classification.isPublic && classification.action === 'read') {
        if (dry) return { kind: 'checked' };
        if ((await auditDecision(accountId, decisionRecord(deps.now(), seen, classification, 'allow', null, null))) === null) {
          return refusedWith(adapter, { kind: 'unavailable', code: 'KW_GATEWAY_AUDIT_FAILED', message: 'the audit log cannot be written; nothing was sent' });
        }
        return forward(adapter, upstream, req, null, accountId);
      }
      return refuse(dry, adapter, accountId, seen, classification, { kind: 'auth', code: 'KW_GATEWAY_NO_TOKEN', message: 'put your Keyward token where this exchange expects its API key' });
    }
    if (verified === null || !verified.ok) {
      return refuse(dry, adapter, accountId, seen, classification, { kind: 'auth', code: verified?.ok === false ? verified.code : 'KW_TOKEN_INVALID', message: 'the token is not valid' });
    }
    const chain: { accessor: string; policy: Policy }[] = [];
    for (const row of verified.chain) {
      const p = policyOf(row.policy);
      if (p === null) return refuse(dry, adapter, accountId, seen, classification, { kind: 'forbidden', code: 'KW_POLICY_INVALID', message: 'the token\'s policy cannot be read' });
      chain.push({ accessor: row.accessor, policy: p });
    }
    const own = chain[0];
    if (own === undefined) return refuse(dry, adapter, accountId, seen, classification, { kind: 'auth', code: 'KW_TOKEN_INVALID', message: 'the token is not valid' });
    const credentialName = own.policy.credential;
    const found = deps.credential(accountId, credentialName, { accessor: verified.token.accessor, value: token });
    const credential = found instanceof Promise ? await found : found;
    if (credential === undefined) {
      return refuse(dry, adapter, accountId, seen, classification, { kind: 'forbidden', code: 'KW_GATEWAY_NO_CREDENTIAL', message: `the credential "${credentialName}" is not available` }, credentialName);
    }
    if (credential.exchange !== adapter.id) {
      return refuse(dry, adapter, accountId, seen, classification, { kind: 'forbidden', code: 'KW_GATEWAY_WRONG_EXCHANGE', message: `this token's credential is for ${credential.exchange}, not ${adapter.id}` }, credentialName);
    }

    let market = null;
    const order = classification.order;
    if (order !== null && classification.action === 'trade' && needsBook(chain, order)) {
      const book = await deps.market.book(exchange, order.symbol);
      const ref = book === null ? null : midPrice(book);
      const band = own.policy.priceBandPercent;
      market = {
        referencePrice: ref,
        depth: book === null || ref === null ? null : depthWithin(book, order.side, order.side === 'buy' ? ref * (1 + (band ?? 100) / 100) : ref * (1 - (band ?? 100) / 100)),
      };
    }
    const links: ChainLink[] = [];
    for (const l of chain) links.push({ policy: l.policy, usage: deps.usage.usage(l.accessor) });
    const decision = decideChain({ request: classification, market, now: deps.now(), sourceIp: incoming.sourceIp }, links);
    if (!decision.allow) return refuse(dry, adapter, accountId, seen, classification, { kind: 'forbidden', code: decision.code, message: decision.message }, credentialName);
    if (dry) return { kind: 'checked' };
    // Reserve the order's share of every cap now, in the same turn as the decision: two orders
    // racing each other cannot both fit under a cap. A refusal further on keeps the reservation
    // (it errs towards refusing more).
    if (classification.action === 'trade') deps.usage.record(chain.map((l) => l.accessor), order === null ? 0 : orderNotional(order) ?? 0);

    const seq = await auditDecision(accountId, decisionRecord(deps.now(), seen, classification, 'allow', null, credentialName));
    if (seq === null) return refusedWith(adapter, { kind: 'unavailable', code: 'KW_GATEWAY_AUDIT_FAILED', message: 'the audit log cannot be written; nothing was signed' });
    // Market data needs no signature; the exchange gets no key, not even the token.
    if (classification.isPublic) return forward(adapter, upstream, withoutToken(exchange, req), seq, accountId);

    const nowMs = deps.now();
    const nonce = adapter.nonce === 'increasing' ? await deps.nonces.next(credential.id, BigInt(nowMs)) : 0n;
    let signed: ExchangeRequest;
    try {
      signed = adapter.sign(req, credential.key, { nowMs, nonce });
    } catch {
      return refusedWith(adapter, { kind: 'invalid', code: 'KW_GATEWAY_AMBIGUOUS', message: 'the request cannot be signed as sent' });
    }
    return forward(adapter, upstream, signed, seq, accountId);
  }

  async function forward(adapter: ExchangeAdapter, upstream: string, req: ExchangeRequest, decisionSeq: number | null, accountId: string): Promise<Outcome> {
    const started = deps.now();
    const outcome = (status: number | null, error: string | null): void => {
      if (decisionSeq === null) return;
      const at = deps.now();
      deps.audit.appendLater(accountId, { at, decision: decisionSeq, status, latencyMs: at - started, error });
    };
    let response: UpstreamResponse;
    try {
      response = await deps.forwarder.send(upstream, req);
    } catch (e) {
      outcome(null, (e as Error).name);
      return refusedWith(adapter, { kind: 'unavailable', code: 'KW_GATEWAY_UPSTREAM', message: 'the exchange could not be reached' });
    }
    return { kind: 'forwarded', response, finish: (error) => outcome(response.status, error) };
  }

  /** Runs a request through the gateway: refused in the exchange's own format, or forwarded. */
  async function handle(incoming: IncomingRequest): Promise<Outcome> {
    const out = await run(incoming, false);
    if (out.kind === 'checked') throw new Error('unreachable: a sending run returned a check');
    return out;
  }

  /** Would this request be allowed now? Decided as `handle` decides it, without any side effect. */
  async function check(incoming: IncomingRequest): Promise<{ readonly allowed: true } | { readonly allowed: false; readonly status: number; readonly body: string }> {
    const out = await run(incoming, true);
    if (out.kind === 'checked') return { allowed: true };
    if (out.kind === 'refused') return { allowed: false, status: out.status, body: out.body };
    out.finish('unexpected');
    throw new Error('unreachable: a check was forwarded');
  }

  return { handle, check, refuseEarly };
}

export type Pipeline = ReturnType<typeof createPipeline>;
