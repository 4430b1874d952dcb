/** Route GET /v1/jobs/:id/results/stream: Server-Sent Events, resumable with Last-Event-ID. */
import { ServiceError } from "./errors.js";
import type { RouteContext } from "./route-context.js";
import { FINAL } from "./schemas.js";

export function registerResultStreamRoute({ backend, store, route, loadJob }: RouteContext): void {
  route("/v1/jobs/:id/results/stream", "GET", async (req, reply) => {
    const j = await loadJob((req.params as { id: string }).id);
    const h = req.headers["last-event-id"];
    const q = (req.query as { last_event_id?: string }).last_event_id;
    const lastText = typeof h === "string" ? h : q;
    let last = 0;
    if (lastText !== undefined) {
      last = Number(lastText);
      if (!/^\d+$/.test(lastText))
        throw new ServiceError(400, "BAD_LAST_EVENT_ID", `Last-Event-ID "${lastText}" is not an event id`, {
          path: "Last-Event-ID",
          hint: "send the id of the last event you received (a non-negative integer), or omit it",
        });
    }
    // an id the stream never had (a client resuming against another job or a reset store) would
    // silently skip every event up to it: refuse it
    if (last > 0 && (await store.eventsAfter(j.id, last - 1)).length === 0) {
      const count = (await store.eventsAfter(j.id, 0)).length;
      throw new ServiceError(
        400,
        "BAD_LAST_EVENT_ID",
        `Last-Event-ID ${last} is past the end of job ${j.id}'s stream, which has ${count} event(s) so far`,
        {
          path: "Last-Event-ID",
          hint: "send the id of the last event you received from this job's stream, or omit it to replay from the start",
        },
      );
    }
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive" });
    let closed = false;
    let wake: (() => void) | null = null;
    // set by every notification, so one that arrives while events are being read is not lost
    let dirty = false;
    const notify = () => {
      dirty = true;
      wake?.();
    };
    req.raw.on("close", () => {
      closed = true;
      notify();
    });
    const unsubscribe = backend.subscribe(j.id, notify);
    let lastBeat = Date.now();
    try {
      for (;;) {
        dirty = false;
        const events = await store.eventsAfter(j.id, last);
        let ended = false;
        let out = "";
        for (const e of events) {
          out += `id: ${e.id}\nevent: ${e.event}\ndata: ${e.data}\n\n`;
          last = e.id;
          if (e.event === "end") ended = true;
        }
        if (out) res.write(out); // one write (one syscall) per batch of events
        if (ended || closed) break;
        if (events.length === 0) {
          const cur = await store.get(j.id);
          // a job that ended without an end event (interrupted by a restart): close with its status
          if (cur && FINAL.has(cur.status) && (await store.eventsAfter(j.id, last)).length === 0) {
            res.write(`event: end\ndata: ${JSON.stringify({ status: cur.status, error: cur.error })}\n\n`);
            break;
          }
        }
        if (Date.now() - lastBeat > 15_000) {
          res.write(": keep-alive\n\n");
          lastBeat = Date.now();
        }
        if (dirty) continue;
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, 200);
          wake = () => {
            clearTimeout(t);
            resolve();
          };
        });
        wake = null;
      }
    } finally {
      unsubscribe();
      res.end();
    }
  });
}
