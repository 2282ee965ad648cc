import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ChunkedDecoder, Subscriber, scanTaskIds } from './sse-subscriber';

const TASK_A = '01900000-0000-7000-8000-00000000000a';
const TASK_B = '01900000-0000-7000-8000-00000000000b';
const frame = (taskId: string): string =>
  `id: 1-x\nevent: task.created\ndata: {"id":"e","aggregateId":"${taskId}","data":{}}\n\n`;

/** Feeds `bytes` to a decoder cut into pieces of `size` bytes; returns the data it gave back. */
function decodeInPieces(bytes: Buffer, size: number): { data: string; open: boolean } {
  const pieces: Buffer[] = [];
  const decoder = new ChunkedDecoder((piece) => pieces.push(Buffer.from(piece)));
  let open = true;
  for (let at = 0; at < bytes.length; at += size)
    open = decoder.feed(bytes.subarray(at, at + size));
  return { data: Buffer.concat(pieces).toString(), open };
}

describe('ChunkedDecoder', () => {
  const body = Buffer.from('5\r\nhello\r\n1a;ext=1\r\nabcdefghijklmnopqrstuvwxyz\r\n0\r\n\r\n');

  it.each([1, 2, 3, 7, body.length])(
    'gives back exactly the chunk data, whatever the reads (%i bytes at a time)',
    (size) => {
      // Act
      const { data, open } = decodeInPieces(body, size);

      // Assess
      expect(data).toBe('helloabcdefghijklmnopqrstuvwxyz');
      expect(open).toBe(false);
    },
  );

  it('stays open until the last chunk', () => {
    // Act
    const { data, open } = decodeInPieces(Buffer.from('3\r\nabc\r\n'), 2);

    // Assess
    expect(data).toBe('abc');
    expect(open).toBe(true);
  });

  it('refuses a size line that is not hex', () => {
    // Prepare
    const decoder = new ChunkedDecoder(() => undefined);

    // Act, Assess
    expect(() => decoder.feed(Buffer.from('zz\r\n'))).toThrow('malformed chunk size line');
  });
});

describe('scanTaskIds', () => {
  it('finds every task id, also when a read cuts the mark or the id', () => {
    // Prepare
    const bytes = Buffer.from(frame(TASK_A) + frame(TASK_B));
    for (let cut = 1; cut < bytes.length; cut += 1) {
      const found: string[] = [];

      // Act
      const carry = scanTaskIds(Buffer.alloc(0), bytes.subarray(0, cut), (id) => found.push(id));
      scanTaskIds(carry, bytes.subarray(cut), (id) => found.push(id));

      // Assess
      expect(found).toEqual([TASK_A, TASK_B]);
    }
  });
});

describe('Subscriber', () => {
  let server: Server;
  let url: string;
  let status = 200;

  beforeAll(async () => {
    server = createServer((req, res) => {
      expect(req.headers.authorization).toBe('Bearer secret');
      res.writeHead(status, { 'content-type': 'text/event-stream' });
      if (status !== 200) {
        res.end();
        return;
      }
      res.write(frame(TASK_A));
      setTimeout(() => res.end(frame(TASK_B)), 20);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/projects/p/stream`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('records each event’s task id with its arrival time, and notices the end', async () => {
    // Prepare
    status = 200;
    const arrivals: [string, number][] = [];
    const subscriber = new Subscriber(url, 'secret', (taskId, at) => arrivals.push([taskId, at]));

    // Act
    await subscriber.open();
    await new Promise((resolve) => setTimeout(resolve, 100));

    // Assess
    expect(arrivals.map(([id]) => id)).toEqual([TASK_A, TASK_B]);
    expect(arrivals[1]?.[1]).toBeGreaterThanOrEqual(arrivals[0]?.[1] ?? Infinity);
    expect(subscriber.cut).toBe(true);
    subscriber.close();
  });

  it('fails to open when the connection closes before the response', async () => {
    // Prepare
    const silent = createServer((req) => {
      req.socket.destroy();
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as AddressInfo).port;
    const subscriber = new Subscriber(`http://127.0.0.1:${port}/s`, 'secret', () => undefined);

    // Act, Assess
    await expect(subscriber.open()).rejects.toThrow('closed before the response');
    await new Promise((resolve) => silent.close(resolve));
  });

  it('fails to open on a status other than 200', async () => {
    // Prepare
    status = 404;
    const subscriber = new Subscriber(url, 'secret', () => undefined);

    // Act, Assess
    await expect(subscriber.open()).rejects.toThrow('answered 404');
    subscriber.close();
  });
});
