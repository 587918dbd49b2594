// The local authentik test double (not authentik) in a process of its own, going down
// (listening socket closed, every open connection destroyed) and up again on a schedule.
// Controlled over IPC by bench/soak-flapping.mjs:
//   { command: 'flap', phaseMs, periodMs }  first down after phaseMs, then a switch every periodMs
//   { command: 'steady' }                   stop switching and stay (or come) up
//   { command: 'counts' }                   distinct events stored, copies, and the switch times
//   { command: 'close' }
// It keeps only the distinct event ids, so a long soak does not fill its memory.
import { startFakeAuthentik } from '@authentik-events/testing';

const ids = new Set();
let copies = 0;
const fake = await startFakeAuthentik({
  quiet: true,
  maxRecordedRequests: 10,
  onEvent: (event) => {
    copies++;
    ids.add(event.context.event_id);
  },
});
// The fake keeps each stored event in memory; the ids are all the soak needs.
const clearTimer = setInterval(() => fake.clear(), 1000);

/** Every switch, as wall-clock times: the soak compares them with the app's samples. */
const switches = [];
let flapTimer;
let isDown = false;

async function goDown() {
  isDown = true;
  switches.push({ at: Date.now(), state: 'down' });
  await fake.faults.down();
}

async function goUp() {
  await fake.faults.up();
  isDown = false;
  switches.push({ at: Date.now(), state: 'up' });
}

function flap(phaseMs, periodMs) {
  const next = async () => {
    if (isDown) await goUp();
    else await goDown();
    flapTimer = setTimeout(next, periodMs);
  };
  flapTimer = setTimeout(next, phaseMs);
}

async function steady() {
  clearTimeout(flapTimer);
  flapTimer = undefined;
  if (isDown) await goUp();
}

const commands = {
  flap: ({ phaseMs, periodMs }) => {
    flap(phaseMs, periodMs);
    return {};
  },
  steady: async () => {
    await steady();
    return {};
  },
  counts: () => ({ stored: ids.size, copies, switches }),
};

process.on('message', async (message) => {
  if (message.command === 'close') {
    clearInterval(clearTimer);
    await steady();
    await fake.close();
    process.send({ id: message.id, result: {} }, () => process.exit(0));
    return;
  }
  process.send({ id: message.id, result: await commands[message.command](message.value ?? {}) });
});
process.send({ ready: true, url: fake.url, token: fake.token, pid: process.pid });
