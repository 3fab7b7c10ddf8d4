import { describe, expect, it } from 'vitest';
import { QueryBudget, QueryBudgetError } from '../../state/query-budget';

const thrown = (fn: () => void): QueryBudgetError => {
  try {
    fn();
  } catch (err) {
    return err as QueryBudgetError;
  }
  throw new Error('did not throw');
};

describe('QueryBudget', () => {
  it('stops a query past a size limit with a 413 and the reason', () => {
    const budget = new QueryBudget({ maxStates: 2, maxNames: 10, maxTabs: 5, maxResponseBytes: 100 });
    budget.countState();
    budget.countState();
    expect(thrown(() => budget.countState())).toMatchObject({ exceeded: 'states', status: 413, message: 'query reads more than 2 states: narrow the Tab or client pattern' });
    // Before reading: states about to be read that would take it past the limit, not counted.
    const ahead = new QueryBudget({ maxStates: 3 });
    ahead.countState();
    ahead.checkStates(2);
    expect(ahead.states).toBe(1);
    expect(thrown(() => ahead.checkStates(3))).toMatchObject({ exceeded: 'states', status: 413 });
    budget.countNames(10);
    expect(thrown(() => budget.countNames(1))).toMatchObject({ exceeded: 'names', status: 413 });
    budget.checkTabs(5);
    expect(thrown(() => budget.checkTabs(6))).toMatchObject({ exceeded: 'tabs', status: 413 });
    expect(thrown(() => budget.checkResponse(101))).toMatchObject({ exceeded: 'response', status: 413 });
  });

  it('stops at its deadline (503) or on an abort (503), and yields to the event loop while it runs', async () => {
    // A deadline well past the timer's 5 ms: a process paused a few tens of ms by a loaded machine before
    // its first yield must not reach the deadline first (it did at 30 ms, with the unit suite in parallel).
    const late = new QueryBudget({ deadlineMs: 200 });
    let timerRan = false;
    setTimeout(() => (timerRan = true), 5);
    const started = performance.now();
    let error: unknown;
    try {
      // A CPU-bound loop that ticks: a timer still runs, and the deadline stops it.
      while (performance.now() - started < 5000) await late.tick();
    } catch (err) {
      error = err;
    }
    expect(timerRan).toBe(true);
    expect(error).toMatchObject({ exceeded: 'deadline', status: 503 });
    expect((error as Error).message).toMatch(/^query stopped at its deadline \(200 ms\)/);
    expect(performance.now() - started).toBeLessThan(1000);
    const abort = new AbortController();
    const aborted = new QueryBudget({}, abort.signal);
    await aborted.tick();
    abort.abort();
    await expect(aborted.tick()).rejects.toMatchObject({ exceeded: 'aborted', status: 503 });
  });
});
