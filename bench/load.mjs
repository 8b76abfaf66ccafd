// The load generator, run as its own process by the bench so that autocannon's event
// loop never shares one with the measuring script. Input: one JSON argument
// ({ url, method, headers, body, connections, duration, uniquePromptSize }).
// Output: one JSON line with what the bench needs.
import autocannon from 'autocannon';

const opts = JSON.parse(process.argv[2]);
const { uniquePromptSize, ...rest } = opts;
let seq = 0;
const requests = uniquePromptSize
  ? [
      {
        // A fresh prompt per request: every answer is a render, never a cache hit.
        setupRequest: (req) => ({
          ...req,
          body: JSON.stringify({ model: 'z-image', prompt: `unique ${process.pid} ${seq++}`, size: uniquePromptSize, response_format: 'b64_json' }),
        }),
      },
    ]
  : undefined;
const result = await autocannon({ pipelining: 1, ...rest, ...(requests ? { requests } : {}) });
const answered = result['1xx'] + result['2xx'] + result['3xx'] + result['4xx'] + result['5xx'];
process.stdout.write(
  `${JSON.stringify({
    rps: answered / result.duration,
    answered,
    ok: result['2xx'],
    bad: result.errors + result.timeouts + result.non2xx,
    p50: result.latency.p50,
    p99: result.latency.p99,
    seconds: result.duration,
  })}\n`,
);
