'use strict';
// nodeclient: N parallel connects + 1-byte echo in node's event loop.
//
//   node nodeclient.js -n N -c HOST:PORT [-x PROXY:PORT] [-p MS] [-i MS] [-d S]
//
// Benchmark figure 8; the node twin of aioclient.py (same options, same
// output).  net.connect() to an IP literal (no dns.lookup), one byte out,
// one byte back, destroy.  With -x the client speaks SOCKS5 itself
// (greeting, CONNECT by IPv4) in the same loop: the ideal.  A -p MS timer
// (default 5) runs in the loop throughout; each tick's lateness against
// its due time (a period after the previous tick) is the loop's stall,
// the worst of it reported as stall_ms; -i MS (default 100) of ticking
// before the connects give idle_stall_ms, the machine's own jitter.
// Last line on stdout: ok fail total_ms stall_ms idle_stall_ms ticks, and
// err err_ms (the first failure) when something failed; exit 1 then.
// -d S bounds the run (connections not done by then fail: "deadline").
// Node built-ins only.
const net = require('net');
const { performance } = require('perf_hooks');

function die(msg) {
	process.stderr.write(`nodeclient: ${msg}\n`);
	process.exit(2);
}

function hostport(s) {
	const i = s.lastIndexOf(':');
	const port = Number(s.slice(i + 1));
	if (i < 1 || !Number.isInteger(port) || port < 1 || port > 65535)
		die(`${s}: want HOST:PORT`);
	return { host: s.slice(0, i), port };
}

const opt = { n: 1, p: 5, i: 100, d: 20 };
for (let a = 2; a < process.argv.length; a += 2) {
	const k = process.argv[a], v = process.argv[a + 1];
	if (v === undefined) die(`${k} needs a value`);
	switch (k) {
	case '-c': opt.c = hostport(v); break;
	case '-x': opt.x = hostport(v); break;
	case '-n': case '-p': case '-i': case '-d':
		opt[k[1]] = Number(v);
		if (!(opt[k[1]] > 0) && !(k === '-i' && opt.i === 0))
			die(`${k} ${v}: want a positive number`);
		break;
	default:
		die('usage: node nodeclient.js -n N -c HOST:PORT [-x PROXY:PORT] ' +
		    '[-p MS] [-i MS] [-d S]');
	}
}
if (!opt.c || !Number.isInteger(opt.n)) die('-c HOST:PORT and an integer -n are needed');

// the timer: worst lateness since the last mark
let worst = 0, ticks = 0, due = 0, stopped = false;
function tick() {
	const now = performance.now();
	worst = Math.max(worst, now - due);
	ticks++;
	due = now + opt.p;
	if (!stopped) setTimeout(tick, opt.p);
}

function errName(e) {
	return e.code || e.message.split(' ')[0] || 'Error';
}

// one connection; resolves true (echoed) or false (failure recorded)
function one(t0, fails) {
	return new Promise((resolve) => {
		const s = net.connect(opt.x || opt.c);
		let state = opt.x ? 'greet' : 'echo', buf = Buffer.alloc(0), done = false;
		const finish = (ok, e) => {
			if (done) return;
			done = true;
			if (!ok) fails.push([errName(e), performance.now() - t0, e.message]);
			s.destroy();
			resolve(ok);
		};
		s.setNoDelay(true);
		s.on('connect', () => {
			if (opt.x) s.write(Buffer.from([5, 1, 0]));
			else s.write('x');
		});
		s.on('data', (d) => {
			buf = Buffer.concat([buf, d]);
			if (state === 'greet' && buf.length >= 2) {
				if (buf[0] !== 5 || buf[1] !== 0)
					return finish(false, new Error('SOCKS5 method reply'));
				buf = buf.subarray(2);
				const a = opt.c.host.split('.').map(Number);
				s.write(Buffer.from([5, 1, 0, 1, ...a,
				    opt.c.port >> 8, opt.c.port & 255]));
				state = 'reply';
			}
			if (state === 'reply' && buf.length >= 10) {
				if (buf[1] !== 0)
					return finish(false, new Error(`SOCKS5 reply ${buf[1]}`));
				buf = buf.subarray(10);	// microsocks answers ATYP 1
				state = 'echo';
				s.write('x');
				return;
			}
			if (state === 'echo' && buf.length >= 1)
				finish(buf[0] === 0x78, new Error('echo mismatch'));
		});
		s.on('error', (e) => finish(false, e));
		s.on('close', () => finish(false, new Error('EOF before the echo')));
	});
}

function report(kv) {
	process.stdout.write(Object.entries(kv).map(([k, v]) => `${k}=${v}`).join(' ') + '\n');
}

async function main() {
	due = performance.now() + opt.p;
	setTimeout(tick, opt.p);
	await new Promise((r) => setTimeout(r, opt.i));
	const idle = worst;
	worst = 0; ticks = 0;
	const fails = [], t0 = performance.now();
	let late = false;
	const all = [];
	for (let k = 0; k < opt.n; k++) all.push(one(t0, fails));
	const deadline = new Promise((r) => setTimeout(() => { late = true; r(null); }, opt.d * 1e3));
	const res = await Promise.race([Promise.all(all), deadline]);
	const t1 = performance.now();
	let ok = 0;
	if (res === null || late) {
		// count what finished; the rest failed by the deadline
		const settled = await Promise.all(all.map((p) =>
		    Promise.race([p, Promise.resolve(null)])));
		for (const r of settled) {
			if (r === true) ok++;
			else if (r === null)
				fails.push(['deadline', t1 - t0, `not done in ${opt.d} s`]);
		}
	} else {
		ok = res.filter((r) => r === true).length;
	}
	// let the tick due now fire, so a stall at the very end counts
	await new Promise((r) => setTimeout(r, 2 * opt.p));
	stopped = true;
	const kv = { ok, fail: opt.n - ok, total_ms: (t1 - t0).toFixed(1),
	    stall_ms: worst.toFixed(1), idle_stall_ms: idle.toFixed(1), ticks };
	if (fails.length) {
		fails.sort((a, b) => a[1] - b[1]);
		kv.err = fails[0][0].replace(/\s+/g, '_');
		kv.err_ms = fails[0][1].toFixed(1);
		process.stderr.write(`nodeclient: ${opt.n - ok} of ${opt.n} connections ` +
		    `failed; first after ${fails[0][1].toFixed(0)} ms: ${fails[0][0]} ${fails[0][2]}\n`);
	}
	report(kv);
	process.exit(ok === opt.n ? 0 : 1);
}
main();
