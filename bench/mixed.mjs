// A client workload as the Router's docs ask for it: submit, then poll with the
// Retry-After the server sent until the job ends. Reports request latency and
// job throughput.
export async function mixedWorkload(url, { clients, seconds }) {
  const headers = { authorization: 'Bearer sk-bench-mixed', 'content-type': 'application/json' };
  const latencies = [];
  let jobs = 0;
  let bad = 0;
  const deadline = Date.now() + seconds * 1000;
  const timed = async (path, init) => {
    const started = performance.now();
    const res = await fetch(`${url}${path}`, init);
    const text = await res.text();
    latencies.push(performance.now() - started);
    if (res.status >= 400) bad++;
    return { res, text };
  };
  async function client(i) {
    let n = 0;
    while (Date.now() < deadline) {
      const submit = await timed('/v1/async/images/generations', {
        method: 'POST',
        headers,
        body: JSON.stringify({ model: 'z-image', prompt: `mixed ${i} ${n++}`, size: '256x256', response_format: 'b64_json' }),
      });
      if (submit.res.status !== 202) continue;
      const { jobId, provider_address } = JSON.parse(submit.text);
      let wait = Number(submit.res.headers.get('retry-after') ?? 2);
      for (;;) {
        await new Promise((r) => setTimeout(r, wait * 1000));
        const poll = await timed(`/v1/async/jobs/${jobId}?provider_address=${provider_address}`, { headers });
        if (poll.res.status !== 200) break;
        const status = JSON.parse(poll.text).status;
        if (status === 'completed' || status === 'failed') {
          jobs++;
          break;
        }
        wait = Number(poll.res.headers.get('retry-after') ?? 2);
      }
    }
  }
  const started = Date.now();
  await Promise.all(Array.from({ length: clients }, (_, i) => client(i)));
  const elapsedS = (Date.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const q = (p) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? NaN;
  return { rps: latencies.length / elapsedS, p50: q(0.5), p99: q(0.99), bad, jobs, jobsPerS: jobs / elapsedS };
}
