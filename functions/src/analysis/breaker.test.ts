import { describe, expect, it } from 'vitest';
import { CircuitBreaker } from './breaker';
import { MinuteBudget, perInstanceBudget } from './budget';

describe('CircuitBreaker', () => {
  const setup = () => {
    let clock = 1_000;
    const breaker = new CircuitBreaker({ failureThreshold: 3, coolDownMs: 10_000, now: () => clock });
    return { breaker, advance: (ms: number) => (clock += ms) };
  };

  it('opens after the threshold of consecutive failures, not before', () => {
    const { breaker } = setup();
    breaker.recordFailure();
    breaker.recordFailure();
    expect(breaker.tryAcquire()).toBe(true);
    breaker.recordFailure();
    expect(breaker.currentState).toBe('open');
    expect(breaker.tryAcquire()).toBe(false);
  });

  it('a success in between resets the count', () => {
    const { breaker } = setup();
    breaker.recordFailure();
    breaker.recordFailure();
    breaker.recordSuccess();
    breaker.recordFailure();
    breaker.recordFailure();
    expect(breaker.currentState).toBe('closed');
  });

  it('after the cool-down lets exactly one probe through; its success closes the breaker', () => {
    const { breaker, advance } = setup();
    for (let i = 0; i < 3; i++) breaker.recordFailure();
    advance(9_999);
    expect(breaker.tryAcquire()).toBe(false);
    advance(1);
    expect(breaker.currentState).toBe('half_open');
    expect(breaker.tryAcquire()).toBe(true);
    expect(breaker.tryAcquire()).toBe(false);
    breaker.recordSuccess();
    expect(breaker.currentState).toBe('closed');
    expect(breaker.tryAcquire()).toBe(true);
  });

  it('a failed probe opens it for another cool-down', () => {
    const { breaker, advance } = setup();
    for (let i = 0; i < 3; i++) breaker.recordFailure();
    advance(10_000);
    expect(breaker.tryAcquire()).toBe(true);
    breaker.recordFailure();
    expect(breaker.currentState).toBe('open');
    advance(5_000);
    expect(breaker.tryAcquire()).toBe(false);
    advance(5_000);
    expect(breaker.tryAcquire()).toBe(true);
  });

  it('reports when it opens and when it closes again, not on every failure', () => {
    let clock = 0;
    const changes: string[] = [];
    const breaker = new CircuitBreaker({
      failureThreshold: 2,
      coolDownMs: 100,
      now: () => clock,
      onChange: (state, until) => changes.push(`${state}${until === undefined ? '' : `@${until}`}`),
    });
    breaker.recordFailure();
    breaker.recordFailure();
    breaker.recordFailure();
    clock = 100;
    breaker.tryAcquire();
    breaker.recordFailure();
    clock = 300;
    breaker.tryAcquire();
    breaker.recordSuccess();
    breaker.recordSuccess();
    expect(changes).toEqual(['open@100', 'open@200', 'closed']);
  });

  it('a probe released without an outcome lets the next caller probe', () => {
    const { breaker, advance } = setup();
    for (let i = 0; i < 3; i++) breaker.recordFailure();
    advance(10_000);
    expect(breaker.tryAcquire()).toBe(true);
    breaker.release();
    expect(breaker.tryAcquire()).toBe(true);
  });
});

describe('call budget', () => {
  it('splits the global budget between instances, never below one call', () => {
    expect(perInstanceBudget(60, 5)).toBe(12);
    expect(perInstanceBudget(7, 5)).toBe(1);
    expect(perInstanceBudget(2, 5)).toBe(1);
    expect(perInstanceBudget(0, 5)).toBe(0);
  });

  it('allows the limit per wall-clock minute and renews each minute', () => {
    let clock = 60_000 * 100 + 59_000;
    const budget = new MinuteBudget(2, () => clock);
    expect(budget.tryTake()).toBe(true);
    expect(budget.tryTake()).toBe(true);
    expect(budget.tryTake()).toBe(false);
    expect(budget.remaining()).toBe(0);
    clock += 1_000;
    expect(budget.remaining()).toBe(2);
    expect(budget.tryTake()).toBe(true);
  });
});
