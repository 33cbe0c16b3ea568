import { expect } from 'chai';
import { type AgentContext, type DeterministicBehavior, type Envelope, createRuntime } from '@escher/core';
import { Replication } from '../src';

// The README's example, on the real clock and the in-process network, kept here so that it keeps running.

/** The application: a deterministic counter. */
class Counter implements DeterministicBehavior {
  readonly deterministic = true;
  private n = 0;
  receive(msg: Envelope, ctx: AgentContext): void {
    this.n += (msg.payload as { add: number }).add;
    ctx.reply(msg, this.n);
  }
}

const until = async (done: () => boolean) => {
  while (!done()) await new Promise((resolve) => setTimeout(resolve, 10));
};

async function example(log: (line: string) => void): Promise<unknown[]> {
  const rt = createRuntime();
  for (const i of [1, 2, 3]) rt.spawn(`/counter/${i}`, new Counter());
  const smr = new Replication(rt, { service: '/counter', replicas: 3, electionTimeoutMs: 50, heartbeatMs: 10 });
  smr.addReplicas();

  // Every replica answers; until a merging client role is installed, keep the first answer per id.
  const answers = new Map<number, unknown>();
  rt.spawn('/app', {
    receive(msg) {
      if (!answers.has(msg.id)) answers.set(msg.id, msg.payload);
    },
  });

  // Requests sent before any leader exists are held by every replica and ordered by the first leader.
  for (const add of [1, 2, 3]) rt.send('/app', '/counter', { add });
  await until(() => answers.size === 3);
  const leader = smr.leader();
  log(`leader ${leader}, answers ${JSON.stringify([...answers.values()])}`);

  rt.crash(leader as string); // the leader crashes; the other two elect a new one
  for (const add of [4, 5]) rt.send('/app', '/counter', { add });
  await until(() => answers.size === 5);
  log(`leader ${smr.leader()}, answers ${JSON.stringify([...answers.values()])}`);
  rt.close();
  return [...answers.values()];
}

describe('README example', () => {
  it('should run: one answer per request, through a leader crash', async () => {
    const lines: string[] = [];
    const answers = await example((l) => lines.push(l));
    expect(answers).to.deep.equal([1, 3, 6, 10, 15]);
    expect(lines[1]).to.not.include(lines[0]?.split(',')[0] ?? '');
  });
});
