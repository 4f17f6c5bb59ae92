// lib.mjs — what every browser test shares: a real `hromada up` on free ports,
// Debian's Chromium driven by web/'s pinned playwright-core, screenshots at phone
// and desktop sizes, an axe-core accessibility check, and the CLI.
//
// A test is `run(import.meta.url, async (t) => { ... })`: it exits 0 when the
// body returns, 1 when it throws (the message says what failed), 77 when
// Chromium is not installed (skipped, said on stderr). Whatever the test started
// (platforms, browsers) is stopped on the way out, pass or fail.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const sourceDir = process.env.HROMADA_SOURCE_DIR || path.resolve(here, '../..');
export const sharedDir = process.env.HROMADA_SHARED_DIR || path.resolve(sourceDir, '../shared');
export const binary = process.env.HROMADA_BINARY || path.join(sourceDir, 'build/hromada');
export const chromiumPath = process.env.HROMADA_CHROMIUM || '/usr/bin/chromium';
const artefactsRoot = process.env.HROMADA_ARTEFACTS || path.join(sourceDir, 'build/browser-artefacts');
// The npm packages live in web/node_modules, pinned by web/package-lock.json.
export const webRequire = createRequire(path.join(sourceDir, 'web/package.json'));

export const PHONE = { width: 390, height: 844 };
export const DESKTOP = { width: 1280, height: 800 };

// Flags this sandbox needs (docs/WEB.md): no sandbox as root, and no
// background connections to Google's hosts, which a closed network refuses.
const CHROMIUM_ARGS = [
	'--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
	'--disable-background-networking', '--disable-component-update', '--disable-sync',
	'--disable-dev-shm-usage', '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream',
];

export class TestFailure extends Error {}

export function check(condition, message) {
	if (!condition) throw new TestFailure(message);
}

export function sleep(ms) {
	return new Promise((resolve) => setTimeout(resolve, ms));
}

// Runs the CLI; returns {code, stdout, stderr}. JSON output is parsed into .json
// when it is one object (or one per line into .lines).
export function hromada(args, { input, env } = {}) {
	const r = spawnSync(binary, args, {
		input, encoding: 'utf8', env: { ...process.env, ...env }, maxBuffer: 64 << 20,
	});
	const out = { code: r.status, stdout: r.stdout, stderr: r.stderr };
	try { out.json = JSON.parse(r.stdout); } catch { /* not one object */ }
	if (out.json === undefined) {
		try { out.lines = r.stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l)); } catch { /* not JSON Lines */ }
	}
	return out;
}

// A QR picture (PNG bytes) of text, drawn with the qrcode-generator the pages
// embed: 8 pixels a module, `margin` pixels of quiet zone.
export function qrPicture(text, margin = 4) {
	const qrcode = webRequire('qrcode-generator');
	const qr = qrcode(0, 'M');
	qr.addData(text);
	qr.make();
	const url = qr.createDataURL(8, margin);
	return Buffer.from(url.slice(url.indexOf(',') + 1), 'base64');
}

class Test {
	constructor(name) {
		this.name = name;
		this.cleanups = [];
		this.artefacts = path.join(artefactsRoot, name);
		fs.mkdirSync(this.artefacts, { recursive: true });
		this.step = 0;
	}

	log(...words) {
		console.log(`[${this.name}]`, ...words);
	}

	tempDir(prefix) {
		const dir = fs.mkdtempSync(path.join(os.tmpdir(), `hromada-${prefix}-`));
		this.cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
		return dir;
	}

	// `hromada up` on free ports with a small population; waits for
	// endpoints.json (every role healthy).
	async startPlatform({ population = 2000, countries = 'UA,PL', args = [], state } = {}) {
		const stateDir = state || this.tempDir('state');
		const logPath = path.join(this.artefacts, 'up.log');
		const log = fs.openSync(logPath, 'w');
		const child = spawn(binary, ['up', '--state', stateDir, '--population', String(population),
			'--countries', countries, '--port-base', '0', ...args],
		{ stdio: ['ignore', log, log], env: { ...process.env, HROMADA_UNSAFE_ALLOW_ROOT: '1' } });
		let exited = null;
		child.on('exit', (code, signal) => { exited = { code, signal }; });
		const stop = async () => {
			if (exited) return;
			child.kill('SIGTERM');
			for (let i = 0; i < 200 && !exited; i++) await sleep(50);
			if (!exited) child.kill('SIGKILL');
		};
		this.cleanups.push(stop);
		const endpointsPath = path.join(stateDir, 'endpoints.json');
		const deadline = Date.now() + 180000;
		while (!fs.existsSync(endpointsPath)) {
			if (exited) {
				throw new TestFailure(`hromada up exited (${JSON.stringify(exited)}) before it was up:\n` +
					fs.readFileSync(logPath, 'utf8').split('\n').slice(-20).join('\n'));
			}
			check(Date.now() < deadline, 'hromada up did not write endpoints.json within 180 s');
			await sleep(100);
		}
		await sleep(50); // written by rename, but be kind to slow disks
		const endpoints = JSON.parse(fs.readFileSync(endpointsPath, 'utf8'));
		const demo = JSON.parse(fs.readFileSync(path.join(stateDir, 'demo.json'), 'utf8'));
		return {
			stateDir, endpoints, demo, stop, logPath,
			// The enrolment code the registry of record "sent" (STATE/outbox/PERSON.txt).
			async outboxCode(person, { newerThan = 0 } = {}) {
				const file = path.join(stateDir, 'outbox', `${person}.txt`);
				for (let i = 0; i < 200; i++) {
					if (fs.existsSync(file) && fs.statSync(file).mtimeMs >= newerThan) {
						const code = fs.readFileSync(file, 'utf8').split('\n')[0].trim();
						if (code) return code;
					}
					await sleep(50);
				}
				throw new TestFailure(`no enrolment code for ${person} in ${file}`);
			},
		};
	}

	// Chromium with a fresh profile of its own (kept on disk until the test
	// ends, so a test can scan it). Options go to launchPersistentContext.
	async launchBrowser(options = {}) {
		const { chromium } = webRequire('playwright-core');
		const userDataDir = this.tempDir('profile');
		const context = await chromium.launchPersistentContext(userDataDir, {
			executablePath: chromiumPath, headless: true, args: CHROMIUM_ARGS,
			viewport: DESKTOP, locale: 'en-GB', ...options,
		});
		let closed = false;
		const close = async () => { if (!closed) { closed = true; await context.close(); } };
		this.cleanups.push(close);
		return { context, userDataDir, close };
	}

	// Screenshots of the page at phone and desktop sizes, kept as artefacts.
	async shot(page, name) {
		const before = page.viewportSize();
		const files = [];
		for (const [size, viewport] of [['phone', PHONE], ['desktop', DESKTOP]]) {
			await page.setViewportSize(viewport);
			const file = path.join(this.artefacts, `${String(++this.step).padStart(2, '0')}-${name}-${size}.png`);
			await page.screenshot({ path: file, fullPage: true });
			files.push(file);
		}
		if (before) await page.setViewportSize(before);
		return files;
	}

	// axe-core on the page as it is now; fails on serious or critical
	// violations and keeps the full result as an artefact.
	async axeCheck(page, label) {
		const source = fs.readFileSync(webRequire.resolve('axe-core/axe.min.js'), 'utf8');
		// Evaluated through the DevTools protocol, which the page's CSP does not govern.
		await page.evaluate(source);
		const result = await page.evaluate(async () => {
			const r = await window.axe.run(document, { resultTypes: ['violations'] });
			return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help,
				nodes: v.nodes.slice(0, 5).map((n) => n.target.join(' ')) }));
		});
		fs.writeFileSync(path.join(this.artefacts, `axe-${label}.json`), JSON.stringify(result, null, 2));
		const bad = result.filter((v) => v.impact === 'serious' || v.impact === 'critical');
		check(bad.length === 0, `axe-core on ${label}: ${bad.map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.join(', ')}`).join('; ')}`);
		return result;
	}

	// Reads a QR code from a PNG (a screenshot) with the jsQR the pages embed, in
	// a blank page of the given browser context. Returns the text or null.
	async readQr(context, png) {
		const page = await context.newPage();
		try {
			await page.evaluate(fs.readFileSync(webRequire.resolve('jsqr/dist/jsQR.js'), 'utf8'));
			return await page.evaluate(async (b64) => {
				const img = new Image();
				img.src = `data:image/png;base64,${b64}`;
				await img.decode();
				const canvas = document.createElement('canvas');
				canvas.width = img.naturalWidth;
				canvas.height = img.naturalHeight;
				const g = canvas.getContext('2d');
				g.drawImage(img, 0, 0);
				const data = g.getImageData(0, 0, canvas.width, canvas.height);
				const found = window.jsQR(data.data, data.width, data.height);
				return found ? found.data : null;
			}, Buffer.from(png).toString('base64'));
		} finally {
			await page.close();
		}
	}

	// Fails the test on any console error or CSP violation the page reports.
	watchConsole(page) {
		const problems = [];
		page.on('console', (m) => { if (m.type() === 'error') problems.push(m.text()); });
		page.on('pageerror', (e) => problems.push(String(e)));
		this.consoleProblems = problems;
		return problems;
	}

	async cleanup() {
		for (const fn of this.cleanups.reverse()) {
			try { await fn(); } catch (e) { console.error(`[${this.name}] cleanup: ${e.message}`); }
		}
	}
}

// The test's body; see the top of this file.
export async function run(moduleUrl, body) {
	const name = path.basename(fileURLToPath(moduleUrl)).replace(/\.test\.mjs$/, '');
	if (!fs.existsSync(chromiumPath)) {
		console.error(`${name}: SKIPPED: ${chromiumPath} is not installed (scripts/deps.sh installs Debian's chromium)`);
		process.exit(77);
	}
	if (!fs.existsSync(binary)) {
		console.error(`${name}: ${binary} is missing: build first (make)`);
		process.exit(1);
	}
	const t = new Test(name);
	let code = 0;
	const started = Date.now();
	try {
		await body(t);
		t.log(`passed in ${((Date.now() - started) / 1000).toFixed(1)} s; artefacts in ${t.artefacts}`);
	} catch (e) {
		console.error(`[${name}] FAILED: ${e instanceof TestFailure ? e.message : e.stack}`);
		console.error(`[${name}] artefacts (screenshots, up.log) in ${t.artefacts}`);
		code = 1;
	}
	await t.cleanup();
	process.exit(code);
}
