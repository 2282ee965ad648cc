import type { BusEvent } from '@taskflow/platform-event-routing';
import { uuidV7Generator } from '@taskflow/platform-kernel';
import { token, useTestDatabase } from './testing';
import { openPlatformStores } from './testing/platform-stores.fixture';

function busEvent(detail: Record<string, unknown>): BusEvent {
  return {
    version: '0',
    id: `evt-${token()}`,
    'detail-type': 'Task Created',
    source: 'task.management',
    account: '000000000000',
    time: '2030-01-01T00:00:00Z',
    region: 'local',
    resources: [],
    detail,
  };
}

describe('PgDeadLetterStore', () => {
  const store = useTestDatabase('pp_dead_letters', openPlatformStores);

  it('keeps the whole event with its reason, and lists letters oldest first', async () => {
    // Prepare
    const later = busEvent({ eventType: 'task.created', n: 2 });
    const earlier = busEvent({ eventType: 'task.created', n: 1, nested: { ok: [true, null] } });

    // Act
    const b = await store.deadLetters.add({
      event: later,
      target: 'processor',
      reason: 'detail.taskData.title: required',
      attempts: 1,
      failedAt: new Date('2030-01-02T00:00:00.000Z'),
    });
    const a = await store.deadLetters.add({
      event: earlier,
      target: null,
      reason: 'db down',
      attempts: 3,
      failedAt: new Date('2030-01-01T00:00:00.000Z'),
    });
    const listed = await store.deadLetters.list({ limit: 10, includeReplayed: false });

    // Assess
    expect(listed).toEqual([a, b]);
    expect(a).toEqual({
      id: a.id,
      source: 'task.management',
      detailType: 'Task Created',
      event: earlier,
      target: null,
      reason: 'db down',
      attempts: 3,
      failedAt: '2030-01-01T00:00:00.000Z',
      replayedAt: null,
    });
    expect(await store.deadLetters.get(b.id)).toEqual(b);
  });

  it('marks a letter replayed once, and lists it only when asked', async () => {
    // Prepare
    const letter = await store.deadLetters.add({
      event: busEvent({ eventType: 'task.completed' }),
      target: 'processor',
      reason: 'TASK_NOT_FOUND: task x not found',
      attempts: 1,
      failedAt: new Date('2030-02-01T00:00:00.000Z'),
    });
    const at = new Date('2030-02-02T00:00:00.000Z');

    // Act
    const first = await store.deadLetters.markReplayed(letter.id, at);
    const second = await store.deadLetters.markReplayed(letter.id, at);
    const pending = await store.deadLetters.list({ limit: 100, includeReplayed: false });
    const all = await store.deadLetters.list({ limit: 100, includeReplayed: true });

    // Assess
    expect([first, second]).toEqual([true, false]);
    expect(pending.map((l) => l.id)).not.toContain(letter.id);
    expect(all.find((l) => l.id === letter.id)?.replayedAt).toBe(at.toISOString());
  });

  it.each(['not-a-uuid', uuidV7Generator.next()])('knows no letter %s', async (id) => {
    // Act
    const found = await store.deadLetters.get(id);
    const marked = await store.deadLetters.markReplayed(id, new Date());

    // Assess
    expect(found).toBeNull();
    expect(marked).toBe(false);
  });
});
