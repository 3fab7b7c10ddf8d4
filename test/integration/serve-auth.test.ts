// `topology serve` asks who is calling: bearer tokens from a file, the
// environment or the config file (TABSTREAM_CONFIG included), https with a
// certificate of a CA made here, and no listening beyond loopback without tokens.
import { writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueCertificate, makeCertificateAuthority, type CertificateAuthority, type IssuedCertificate } from '../../deploy/stack/certificates';
import { deployTopology } from '../../topology/deploy/deploy';
import { Worker } from '../../topology/runtime/worker';
import { AggregateReader, configEnv, testConfig, uniqueName, waitFor } from '../support/pipeline-harness';
import { parsePrometheusText, sumOf } from '../support/prometheus-text';
import { FIXTURE_CLIENTS, FIXTURE_TABS, recordQueryFixture } from '../support/query-fixture';
import { runCli } from '../support/run-cli';
import { scratchDir } from '../support/scratch-dir';
import { request, startServe, stopServe, type HttpAnswer, type ServeProcess } from '../support/serve-process';

const GRAFANA = 'grafana-6f1c2a9e4b7d3f80a5c1e2d4b6a8c0f1';
const CI = 'ci-9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d';
const WRONG = 'wrong-0a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d';
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** The environment of a serve: the test stack's services, and none of the settings under test from the caller's own. */
function serveEnv(env: NodeJS.ProcessEnv, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const clean = { ...env };
  for (const v of ['TABSTREAM_CONFIG', 'TABSTREAM_API_TOKENS', 'TABSTREAM_API_TOKENS_FILE', 'TABSTREAM_SERVE_TLS_CERT', 'TABSTREAM_SERVE_TLS_KEY']) delete clean[v];
  return { ...clean, ...extra };
}

/** A 401 as the API answers it: WWW-Authenticate: Bearer, and one line of JSON saying why. */
function expectRefused(res: HttpAnswer, error: RegExp): void {
  expect(res.status).toBe(401);
  expect(res.headers['www-authenticate']).toMatch(/^Bearer realm="tabstream"/);
  expect(res.body).not.toContain('\n');
  expect(Object.keys(JSON.parse(res.body))).toEqual(['error']);
  expect(JSON.parse(res.body).error).toMatch(error);
}

describe('topology serve: bearer tokens, TLS, TABSTREAM_CONFIG', () => {
  const config = testConfig({ flushIntervalMs: 200 });
  const name = uniqueName('auth');
  const topic = `${name}-tabs`;
  const reader = new AggregateReader(config, name);
  const dir = scratchDir('serve-auth');
  const tokensFile = join(dir, 'tokens');
  const env = serveEnv(configEnv(config));
  let worker: Worker;
  let serve: ServeProcess;
  let ca: CertificateAuthority;
  let cert: IssuedCertificate;
  const started: ServeProcess[] = [];
  const start = async (e: NodeJS.ProcessEnv, args: string[] = []): Promise<ServeProcess> => {
    const s = await startServe(e, name, args);
    started.push(s);
    return s;
  };

  beforeAll(async () => {
    writeFileSync(tokensFile, `# who may read this API\ngrafana ${GRAFANA}\n\nci ${CI}\n`, { mode: 0o600 });
    ca = await makeCertificateAuthority(join(dir, 'pki'));
    cert = await issueCertificate(ca, join(dir, 'pki'), 'serve', { hosts: ['127.0.0.1', 'localhost'] });
    await deployTopology(config, 'taba', { name, topic, partitions: 2 });
    worker = new Worker({ config, id: `${name}-w`, log: pino({ level: 'warn' }) });
    await worker.start();
    serve = await start(env, ['--tokens-file', tokensFile]);
    await recordQueryFixture(config.brokers, topic);
    await waitFor('all states folded', async () => (await reader.query.listTabs('.*', { clients: true })).tabs, (t) => t.length === FIXTURE_TABS && t.every((x) => x.clients === FIXTURE_CLIENTS.length), 60_000);
  }, 120_000);

  afterAll(async () => {
    for (const s of started) await stopServe(s);
    await worker?.stop();
    reader.close();
  });

  it('answers 401 without a token, or with a wrong one: WWW-Authenticate: Bearer and one line saying why', async () => {
    for (const path of ['/api/aggregate', '/api/status', '/api/topologies', '/api/tabs?tab=.*', '/metrics', '/api/no-such-path']) {
      expectRefused(await request(`${serve.url}${path}`), /^this server needs a token: send Authorization: Bearer <token>$/);
      const wrong = await request(`${serve.url}${path}`, { headers: bearer(WRONG) });
      expectRefused(wrong, /^the bearer token is not one this server accepts$/);
      expect(wrong.headers['www-authenticate']).toBe('Bearer realm="tabstream", error="invalid_token"');
    }
    // A right token in another scheme, or half of it, is no bearer token of this server.
    expectRefused(await request(`${serve.url}/api/topologies`, { headers: { authorization: `Basic ${Buffer.from(`grafana:${GRAFANA}`).toString('base64')}` } }), /needs a token/);
    expectRefused(await request(`${serve.url}/api/topologies`, { headers: bearer(GRAFANA.slice(0, 20)) }), /not one this server accepts/);
  });

  it('answers 200 with either token, as without authentication; the API only reads (POST is a 405 even with a token)', async () => {
    for (const token of [GRAFANA, CI]) {
      const res = await request(`${serve.url}/api/aggregate?tab=winning_.*`, { headers: bearer(token) });
      expect(res.status, res.body).toBe(200);
      expect(JSON.parse(res.body)).toEqual(await reader.query.aggregate('winning_.*'));
    }
    const status = await request(`${serve.url}/api/status`, { headers: bearer(CI) });
    expect(JSON.parse(status.body).spec.name).toBe(name);
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH']) {
      expectRefused(await request(`${serve.url}/api/tabs`, { method }), /needs a token/);
      const res = await request(`${serve.url}/api/tabs`, { method, headers: bearer(GRAFANA) });
      expect(res.status).toBe(405);
      expect(res.headers.allow).toBe('GET, HEAD');
    }
  });

  it('the dashboard page (which holds no data) and /healthz need no token; the page has the token prompt', async () => {
    const page = await request(`${serve.url}/`);
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.body).toContain('<form id="auth" class="auth" hidden>');
    expect(page.body).toContain('sessionStorage.getItem(TOKEN_KEY)');
    const health = await request(`${serve.url}/healthz`);
    expect(health.status).toBe(200);
    expect(JSON.parse(health.body)).toEqual({ status: 'ok' });
    // Its data is not open: what the page asks for needs the token.
    expectRefused(await request(`${serve.url}/api/aggregate?topology=${name}`), /needs a token/);
  });

  it('/metrics needs a token and counts requests by token name (never the token itself)', async () => {
    const res = await request(`${serve.url}/metrics`, { headers: bearer(GRAFANA) });
    expect(res.status).toBe(200);
    const metrics = parsePrometheusText(res.body);
    expect(metrics.types.get('tabstream_http_auth_total')).toBe('counter');
    expect(sumOf(metrics, 'tabstream_http_auth_total', { token: 'grafana', result: 'accepted' })).toBeGreaterThanOrEqual(3);
    expect(sumOf(metrics, 'tabstream_http_auth_total', { token: 'ci', result: 'accepted' })).toBeGreaterThanOrEqual(2);
    expect(sumOf(metrics, 'tabstream_http_auth_total', { token: 'none', result: 'missing' })).toBeGreaterThanOrEqual(6);
    expect(sumOf(metrics, 'tabstream_http_auth_total', { token: 'none', result: 'wrong' })).toBeGreaterThanOrEqual(6);
    expect(sumOf(metrics, 'tabstream_http_requests_total', { route: '/api/aggregate', status: '401' })).toBeGreaterThanOrEqual(2);
    for (const secret of [GRAFANA, CI, WRONG, GRAFANA.slice(8, 24)]) expect(res.body).not.toContain(secret);
  });

  it('serves https with a certificate of its CA, tokens from TABSTREAM_API_TOKENS; plain http and an untrusted CA fail', async () => {
    const tls = await start(serveEnv(env, { TABSTREAM_API_TOKENS: `grafana ${GRAFANA}, ci ${CI}` }), ['--tls-cert', cert.cert, '--tls-key', cert.key]);
    expect(tls.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(tls.output()).toMatch(/^serving https:\/\/127\.0\.0\.1:\d+ \(.*; 2 bearer tokens from TABSTREAM_API_TOKENS\)$/m);
    const caPem = await readFile(ca.cert);
    const ok = await request(`${tls.url}/api/aggregate?tab=losing_bids`, { ca: caPem, headers: bearer(CI) });
    expect(ok.status, ok.body).toBe(200);
    expect(JSON.parse(ok.body)).toEqual(await reader.query.aggregate('losing_bids'));
    // The certificate names localhost too.
    const port = new URL(tls.url).port;
    expect((await request(`https://localhost:${port}/healthz`, { ca: caPem })).status).toBe(200);
    expectRefused(await request(`${tls.url}/api/aggregate`, { ca: caPem }), /needs a token/);
    // Plain http to the TLS port gets no answer; a client that does not trust the CA refuses the server.
    await expect(request(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
    await expect(request(`${tls.url}/healthz`, { ca: await readFile(cert.cert) })).rejects.toThrow(/certificate/);
    expect(tls.child.exitCode).toBeNull();
  });

  it('TABSTREAM_CONFIG is read as --config is: a config file whose serve key gives the tokens file and TLS', async () => {
    const file = join(dir, 'serve-config.json');
    writeFileSync(file, JSON.stringify({ serve: { tokensFile, tls: { cert: cert.cert, key: cert.key } } }));
    const fromConfig = await start(serveEnv(env, { TABSTREAM_CONFIG: file }));
    expect(fromConfig.url).toMatch(/^https:/);
    expect(fromConfig.output()).toContain(`2 bearer tokens from tokens file ${tokensFile}`);
    const caPem = await readFile(ca.cert);
    expectRefused(await request(`${fromConfig.url}/api/topologies`, { ca: caPem }), /needs a token/);
    expect((await request(`${fromConfig.url}/api/topologies`, { ca: caPem, headers: bearer(GRAFANA) })).status).toBe(200);
  });

  it('every command reads TABSTREAM_CONFIG, and --config wins over it', async () => {
    const services = { zk: config.zk, brokers: config.brokers, redis: config.redis };
    const here = join(dir, 'here.json');
    const elsewhere = join(dir, 'elsewhere.json');
    writeFileSync(here, JSON.stringify({ ...services, zkRoot: config.zkRoot }));
    writeFileSync(elsewhere, JSON.stringify({ ...services, zkRoot: `${config.zkRoot}-elsewhere` }));
    const bare = serveEnv(env, { TABSTREAM_CONFIG: here });
    for (const v of ['TABSTREAM_ZK', 'TABSTREAM_BROKERS', 'TABSTREAM_REDIS', 'TABSTREAM_ZK_ROOT']) delete bare[v];
    const listed = await runCli(['list'], bare, 30_000);
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toMatch(new RegExp(`^${name}\\tactive`, 'm'));
    const status = await runCli(['status', name, '--json'], bare, 30_000);
    expect(status.code, status.stderr).toBe(0);
    expect(JSON.parse(status.stdout).spec.name).toBe(name);
    const overridden = await runCli(['list', '--config', elsewhere], bare, 30_000);
    expect(overridden.code, overridden.stderr).toBe(0);
    expect(overridden.stdout).not.toContain(name);
    const missing = await runCli(['list'], { ...bare, TABSTREAM_CONFIG: join(dir, 'missing.json') }, 30_000);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^topology: config file .*missing\.json \(TABSTREAM_CONFIG\): cannot read it: ENOENT.*\n$/);
  });

  it('refuses to listen beyond loopback without tokens, in one line; --insecure-no-auth or tokens let it', async () => {
    const refused = await runCli(['serve', '--host', '0.0.0.0', '--port', '0', '--topology', name], env, 30_000);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toMatch(/^topology: --host 0\.0\.0\.0 is not loopback and no API token is configured: .* or pass --insecure-no-auth\n$/);
    const withTokens = await start(env, ['--host', '0.0.0.0', '--tokens-file', tokensFile]);
    expect(withTokens.url).toMatch(/^http:\/\/0\.0\.0\.0:\d+$/);
    expectRefused(await request(`${withTokens.url.replace('0.0.0.0', '127.0.0.1')}/api/topologies`), /needs a token/);
    await stopServe(withTokens);
    const insecure = await start(env, ['--host', '0.0.0.0', '--insecure-no-auth']);
    expect((await request(`${insecure.url.replace('0.0.0.0', '127.0.0.1')}/api/topologies`)).status).toBe(200);
    expect(insecure.output()).toMatch(/--insecure-no-auth: anyone who reaches 0\.0\.0\.0 reads the API and \/metrics/);
    await stopServe(insecure);
  });

  it('no token, right or wrong, ever appears in what serve printed', async () => {
    for (const s of started) await stopServe(s);
    const printed = started.map((s) => s.output()).join('\n');
    expect(printed).toContain('serving http');
    for (const secret of [GRAFANA, CI, WRONG, GRAFANA.slice(8, 24), CI.slice(8, 24)]) expect(printed).not.toContain(secret);
  });
});
