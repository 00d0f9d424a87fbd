/**
 * The load generator, a process of its own: `node dist/bench/loadgen.js '<LoadPlan as JSON>'`.
 * Prints one JSON line (LoadResult) on stdout.
 *
 * It posts signed webhooks (one event per request, as LINE mostly sends them) to one target and
 * listens to the stand-in LINE API's stream of accepted replies: that gives each person's next
 * choices and the end-to-end time, webhook sent → reply call arrived at the stand-in, taken with
 * both processes' clocks (same machine; the offset between them is measured first and removed).
 *
 * Phases, in the order given:
 *   check       N mixed events at low concurrency with the stand-in validating every body in full
 *   follow      every person of the crowd follows (a follow storm), closed loop
 *   saturation  mixed traffic for S seconds with C requests always in flight: throughput
 *   rate        mixed traffic at a fixed R events/s, open loop: latency
 */
import http from 'node:http';
import { signBody, webhookBody } from '../test/support/line-webhook';
import type { AcceptedLine, FakeLineStats } from '../test/support/fake-line-server';
import { Crowd, type EventKind, type PlannedEvent } from './traffic';
import { cpuSeconds, distribution, machineCpuSeconds, preciseNow, sleep, type Distribution } from './measure';

export type PhasePlan =
  | { name: string; kind: 'check'; events: number; concurrency: number }
  | { name: string; kind: 'follow'; concurrency: number }
  | { name: string; kind: 'saturation'; seconds: number; concurrency: number }
  | { name: string; kind: 'rate'; rate: number; seconds: number };

export interface LoadPlan {
  webhookUrl: string;
  channelSecret: string;
  controlUrl: string;
  users: number;
  namespace: string;
  seed: number;
  phases: PhasePlan[];
  /** Processes whose CPU time is reported per phase (the target, the stand-in). */
  watch: Record<string, number>;
  /** How long to wait for replies still on their way when a phase ends. */
  graceMs?: number;
  requestTimeoutMs?: number;
}

export interface PhaseResult {
  name: string;
  kind: PhasePlan['kind'];
  sent: number;
  ok: number;
  /** Non-200 answers, transport errors and timeouts. */
  errors: number;
  errorSamples: string[];
  /** Events answered 200 whose reply never reached the stand-in. */
  missing: number;
  seconds: number;
  /**
   * For the fixed rate: seconds from the last scheduled send until every answer was in. More than
   * a few milliseconds means the target could not keep up and a backlog built (latency then grows).
   */
  drainSeconds: number;
  /** 200-acknowledged events per second of the phase. */
  throughput: number;
  ack: Distribution;
  e2e: Distribution;
  kinds: Partial<Record<EventKind, number>>;
  /** Request bodies the stand-in found invalid during the phase (only counted while it validates in full). */
  violations: number | null;
  /**
   * CPU seconds used during the phase by each watched process, by this one, and by everything else
   * on the machine ('others': other work sharing the cores, which makes a phase slower).
   */
  cpu: Record<string, number>;
}

export interface LoadResult {
  clock: { offsetMs: number; rttMs: number };
  phases: PhaseResult[];
  pushes: number;
}

interface InFlight {
  phase: PhaseState;
  person: PlannedEvent['person'];
  sentAt: number;
  acked: boolean;
  ok: boolean;
}

interface PhaseState {
  acks: number[];
  e2e: number[];
  sent: number;
  ok: number;
  errors: number;
  errorSamples: string[];
  kinds: Partial<Record<EventKind, number>>;
  /** Reply tokens of this phase still without a reply. */
  open: Set<string>;
}

async function main(): Promise<void> {
  const plan = JSON.parse(process.argv[2] ?? '') as LoadPlan;
  const result = await runLoad(plan);
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exit(0);
}

export async function runLoad(plan: LoadPlan): Promise<LoadResult> {
  const target = new URL(plan.webhookUrl);
  const timeoutMs = plan.requestTimeoutMs ?? 10_000;
  const graceMs = plan.graceMs ?? 3_000;
  const crowd = new Crowd(plan.users, plan.namespace, plan.seed);
  const inFlight = new Map<string, InFlight>();
  let pushes = 0;

  const clock = await measureClockOffset(plan.controlUrl);
  const stream = await openStream(plan.controlUrl, (line) => {
    if (line.kind === 'push') {
      pushes++;
      return;
    }
    const flight = line.token ? inFlight.get(line.token) : undefined;
    if (!flight) return;
    flight.phase.e2e.push(line.at - clock.offsetMs - flight.sentAt);
    flight.phase.open.delete(line.token!);
    flight.person.choices = line.choices;
    flight.person.waiting = false;
    inFlight.delete(line.token!);
  });

  const send = (agent: http.Agent, phase: PhaseState, planned: PlannedEvent): Promise<void> => {
    const body = webhookBody([planned.event]);
    const token = planned.event.replyToken;
    const flight: InFlight = { phase, person: planned.person, sentAt: 0, acked: false, ok: false };
    inFlight.set(token, flight);
    phase.open.add(token);
    phase.sent++;
    phase.kinds[planned.kind] = (phase.kinds[planned.kind] ?? 0) + 1;
    return new Promise((resolve) => {
      const fail = (why: string) => {
        phase.errors++;
        if (phase.errorSamples.length < 5) phase.errorSamples.push(why);
        phase.open.delete(token);
        inFlight.delete(token);
        planned.person.waiting = false;
        resolve();
      };
      const req = http.request(
        target,
        {
          method: 'POST',
          agent,
          timeout: timeoutMs,
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
            'x-line-signature': signBody(body, plan.channelSecret),
          },
        },
        (res) => {
          res.resume();
          res.on('end', () => {
            const ms = preciseNow() - flight.sentAt;
            if (res.statusCode !== 200) return fail(`HTTP ${res.statusCode}`);
            phase.acks.push(ms);
            phase.ok++;
            flight.acked = true;
            flight.ok = true;
            resolve();
          });
          res.on('error', (error) => fail(error.message));
        },
      );
      req.on('timeout', () => req.destroy(new Error(`timeout after ${timeoutMs} ms`)));
      req.on('error', (error) => fail(error.message));
      flight.sentAt = preciseNow();
      req.end(body);
    });
  };

  const phases: PhaseResult[] = [];
  for (const phasePlan of plan.phases) {
    await control(plan.controlUrl, 'POST', `/validation?mode=${phasePlan.kind === 'check' ? 'full' : 'shallow'}`);
    const before = await control<FakeLineStats>(plan.controlUrl, 'GET', '/stats');
    const cpuBefore = cpuOf(plan.watch);
    const phase: PhaseState = { acks: [], e2e: [], sent: 0, ok: 0, errors: 0, errorSamples: [], kinds: {}, open: new Set() };
    const started = preciseNow();
    switch (phasePlan.kind) {
      case 'check':
        await closedLoop(phasePlan.concurrency, () => (phase.sent < phasePlan.events ? crowd.nextTurn() : null), phase);
        break;
      case 'follow':
        await closedLoop(phasePlan.concurrency, () => crowd.nextNewcomer(), phase);
        break;
      case 'saturation': {
        const deadline = started + phasePlan.seconds * 1000;
        await closedLoop(phasePlan.concurrency, () => (preciseNow() < deadline ? crowd.nextTurn() : null), phase);
        break;
      }
      case 'rate':
        await openLoop(phasePlan.rate, phasePlan.seconds, phase);
        break;
    }
    const seconds = (preciseNow() - started) / 1000;
    const drainSeconds = phasePlan.kind === 'rate' ? Math.max(0, seconds - phasePlan.seconds) : 0;
    // Replies of acknowledged events may still be on their way through the stream.
    const graceEnd = preciseNow() + graceMs;
    while ([...phase.open].some((token) => inFlight.get(token)?.ok) && preciseNow() < graceEnd) await sleep(20);
    const missing = [...phase.open].filter((token) => inFlight.get(token)?.ok).length;
    for (const token of phase.open) {
      const flight = inFlight.get(token);
      if (flight) flight.person.waiting = false;
      inFlight.delete(token);
    }
    const after = await control<FakeLineStats>(plan.controlUrl, 'GET', '/stats');
    const cpuAfter = cpuOf(plan.watch);
    phases.push({
      name: phasePlan.name,
      kind: phasePlan.kind,
      sent: phase.sent,
      ok: phase.ok,
      errors: phase.errors,
      errorSamples: phase.errorSamples,
      missing,
      seconds,
      drainSeconds,
      throughput: phase.ok / seconds,
      ack: distribution(phase.acks),
      e2e: distribution(phase.e2e),
      kinds: phase.kinds,
      violations: phasePlan.kind === 'check' ? after.violations - before.violations : null,
      cpu: cpuUsed(cpuBefore, cpuAfter),
    });
  }
  stream.destroy();
  return { clock, phases, pushes };

  /** `concurrency` workers, each sending its next event as soon as the previous one is answered. */
  async function closedLoop(concurrency: number, next: () => PlannedEvent | null, phase: PhaseState): Promise<void> {
    const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
    let done = false;
    const worker = async () => {
      while (!done) {
        const planned = next();
        if (!planned) {
          // Nobody free (all waiting) is only momentary; an exhausted source ends the loop.
          if (crowd.people.every((p) => p.waiting) && phase.open.size > 0) {
            await sleep(1);
            continue;
          }
          done = true;
          break;
        }
        await send(agent, phase, planned);
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    agent.destroy();
  }

  /** Sends at a fixed rate whatever the answers, as LINE does; each request on its own. */
  async function openLoop(rate: number, seconds: number, phase: PhaseState): Promise<void> {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 512 });
    const total = Math.round(rate * seconds);
    const interval = 1000 / rate;
    const pending: Promise<void>[] = [];
    const start = preciseNow();
    let i = 0;
    await new Promise<void>((resolve) => {
      const tick = () => {
        const now = preciseNow();
        while (i < total && start + i * interval <= now) {
          i++;
          const planned = crowd.nextTurn();
          if (!planned) {
            phase.errors++;
            if (phase.errorSamples.length < 5) phase.errorSamples.push('no person free to send (all waiting for replies)');
            continue;
          }
          pending.push(send(agent, phase, planned));
        }
        if (i >= total) return resolve();
        setTimeout(tick, Math.max(0, start + i * interval - preciseNow()));
      };
      tick();
    });
    await Promise.all(pending);
    agent.destroy();
  }
}

function cpuOf(watch: Record<string, number>): Record<string, number> {
  return {
    ...Object.fromEntries(Object.entries(watch).map(([name, pid]) => [name, cpuSeconds(pid)])),
    loadgen: cpuSeconds(process.pid),
    machine: machineCpuSeconds(),
  };
}

function cpuUsed(before: Record<string, number>, after: Record<string, number>): Record<string, number> {
  const used: Record<string, number> = {};
  for (const name of Object.keys(after)) if (name !== 'machine') used[name] = after[name]! - before[name]!;
  const ours = Object.values(used).reduce((a, b) => a + b, 0);
  used.others = Math.max(0, after.machine! - before.machine! - ours);
  return used;
}

async function control<T>(controlUrl: string, method: string, pathAndQuery: string): Promise<T> {
  const response = await fetch(`${controlUrl}${pathAndQuery}`, { method });
  if (!response.ok) throw new Error(`stand-in control ${method} ${pathAndQuery}: ${response.status}`);
  return (await response.json()) as T;
}

/** The stand-in's clock minus ours, from the round trip with the smallest delay (NTP's method). */
async function measureClockOffset(controlUrl: string): Promise<{ offsetMs: number; rttMs: number }> {
  let best = { offsetMs: 0, rttMs: Infinity };
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  for (let i = 0; i < 30; i++) {
    const t0 = preciseNow();
    const remote = await new Promise<number>((resolve, reject) => {
      http
        .get(`${controlUrl}/clock`, { agent }, (res) => {
          let text = '';
          res.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
          res.on('end', () => resolve((JSON.parse(text) as { now: number }).now));
        })
        .on('error', reject);
    });
    const t1 = preciseNow();
    if (t1 - t0 < best.rttMs) best = { offsetMs: remote - (t0 + t1) / 2, rttMs: t1 - t0 };
  }
  agent.destroy();
  return best;
}

async function openStream(controlUrl: string, onLine: (line: AcceptedLine) => void): Promise<http.ClientRequest> {
  return new Promise((resolve, reject) => {
    const req = http.get(`${controlUrl}/accepted/stream`, (res) => {
      let buffered = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffered += chunk;
        let newline: number;
        while ((newline = buffered.indexOf('\n')) >= 0) {
          const text = buffered.slice(0, newline);
          buffered = buffered.slice(newline + 1);
          if (text) onLine(JSON.parse(text) as AcceptedLine);
        }
      });
      res.on('error', () => undefined);
      resolve(req);
    });
    req.on('error', reject);
  });
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`loadgen: ${(error as Error)?.stack ?? String(error)}\n`);
    process.exit(1);
  });
}
