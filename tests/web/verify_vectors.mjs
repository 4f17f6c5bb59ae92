// verify_vectors.mjs — CTest web.verify_vectors: the verifier page's JS
// verifier (web/verify/verify.js, run in Node) and `hromada verify` decide
// every EU DCC vector of ../shared/vectors/dcc the same: valid, every stage,
// and error.stage. Exit 0 pass, 1 fail, 77 skip (no ../shared).
//
//	node tests/web/verify_vectors.mjs [VECTORS_DIR]   (HROMADA_BINARY: the CLI)
import { readFileSync, readdirSync, statSync, existsSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { verifyCredential, trustStoreNew, trustStoreAddCertificates, STAGES } from '../../web/verify/verify.js';

const here = dirname(fileURLToPath(import.meta.url));
const source = resolve(here, '../..');
const shared = process.env.HROMADA_SHARED_DIR || resolve(source, '../shared');
const dir = process.argv[2] || join(shared, 'vectors/dcc');
const binary = process.env.HROMADA_BINARY || join(source, 'build/hromada');

if (!existsSync(dir)) {
	console.log(`SKIPPED: ${dir} is absent; the EU DCC vectors were not checked`);
	process.exit(77);
}
if (!existsSync(binary)) {
	console.error(`${binary} is missing: build first (or set HROMADA_BINARY)`);
	process.exit(1);
}

function walk(d, out = []) {
	for (const name of readdirSync(d).sort()) {
		const p = join(d, name);
		if (statSync(p).isDirectory()) walk(p, out);
		else if (name.endsWith('.json') && p.includes('/raw/')) out.push(p);
	}
	return out;
}

// A deterministic generator, so a failure can be repeated.
let seed = 0x2545f491;
const rand = (n) => {
	seed ^= seed << 13;
	seed ^= seed >>> 17;
	seed ^= seed << 5;
	return (seed >>> 0) % n;
};
const B45 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:';

async function mutations(files) {
	const { base45Decode, base45Encode } = await import('../../web/verify/base45.js');
	const { inflate } = await import('../../web/verify/verify.js');
	const { deflateSync } = await import('node:zlib');
	const out = [];
	for (const file of files) {
		const v = JSON.parse(readFileSync(file, 'utf8'));
		const cert = v.TESTCTX?.CERTIFICATE, clock = v.TESTCTX?.VALIDATIONCLOCK;
		if (typeof v.PREFIX !== 'string' || !cert || !clock || !/^HC1:/.test(v.PREFIX)) continue;
		let cose;
		try {
			cose = await inflate(base45Decode(v.PREFIX.slice(4)));
		} catch {
			continue;
		}
		const lines = [];
		for (let k = 0; k < 6; k++) {
			const p = v.PREFIX.split('');
			const at = 4 + rand(p.length - 4);
			p[at] = B45[rand(45)];
			lines.push(p.join(''));
			lines.push(v.PREFIX.slice(0, 4 + rand(v.PREFIX.length - 4)));
			const bytes = Uint8Array.from(cose);
			for (let j = 0; j <= rand(3); j++) bytes[rand(bytes.length)] = rand(256);
			lines.push('HC1:' + base45Encode(new Uint8Array(deflateSync(bytes))));
			const cut = bytes.subarray(0, rand(bytes.length));
			lines.push('HC1:' + base45Encode(new Uint8Array(deflateSync(cut))));
		}
		out.push([cert, clock, lines]);
	}
	return out;
}

const tmp = mkdtempSync(join(tmpdir(), 'hromada-vectors-'));
let files = 0, compared = 0, differ = 0, mutationCount = 0;
try {
	for (const file of walk(dir)) {
		const v = JSON.parse(readFileSync(file, 'utf8'));
		const ctx = v.TESTCTX || {};
		const prefix = v.PREFIX;
		if (typeof prefix !== 'string') continue;
		files++;
		const cert = ctx.CERTIFICATE || ctx.JWK?.x5c?.[0];
		const args = ['verify', '--status', 'offline'];
		const store = trustStoreNew();
		let certOk = false;
		if (cert) {
			const certFile = join(tmp, 'cert.b64');
			writeFileSync(certFile, cert);
			try {
				await trustStoreAddCertificates(store, cert);
				certOk = true;
			} catch {
				/* as the C test: an unusable certificate leaves the store empty */
			}
			// the CLI refuses an unusable --cert (exit 2); the library test runs
			// those with an empty store, and so do both sides here
			const probe = spawnSync(binary, ['verify', '--cert', certFile, 'HC1:'], { encoding: 'utf8' });
			if (probe.status !== 2) args.push('--cert', certFile);
			else if (certOk) {
				console.error(`DIFFER ${file}: the CLI refuses the certificate, the JS takes it: ${probe.stderr.trim()}`);
				differ++;
				continue;
			}
		}
		if (args.indexOf('--cert') < 0) {
			// no certificate at all: an empty trust list of our own making would
			// need an anchor; the CLI with a cert that matches nothing is the same
			// as an empty store only for the stages before signature, so skip
			if (!cert) continue;
		}
		if (ctx.VALIDATIONCLOCK) args.push('--at', ctx.VALIDATIONCLOCK);
		args.push('--', prefix);
		const cli = spawnSync(binary, args, { encoding: 'utf8', env: { ...process.env, XDG_CACHE_HOME: tmp } });
		let want;
		try {
			want = JSON.parse(cli.stdout);
		} catch {
			console.error(`DIFFER ${file}: the CLI printed no JSON (exit ${cli.status}): ${cli.stderr.trim()}`);
			differ++;
			continue;
		}
		const got = await verifyCredential(store, prefix, ctx.VALIDATIONCLOCK ? { at: ctx.VALIDATIONCLOCK } : {});
		compared++;
		const problems = [];
		if (got.valid !== want.valid) problems.push(`valid ${got.valid} vs CLI ${want.valid}`);
		for (const s of STAGES) if (got.stages[s] !== want.stages[s]) problems.push(`stage ${s} ${got.stages[s]} vs CLI ${want.stages[s]}`);
		if ((got.error?.stage ?? null) !== (want.error?.stage ?? null)) problems.push(`error.stage ${got.error?.stage} vs CLI ${want.error?.stage}`);
		if (got.kid !== want.kid) problems.push(`kid ${got.kid} vs CLI ${want.kid}`);
		if (got.issuer !== want.issuer) problems.push(`issuer ${got.issuer} vs CLI ${want.issuer}`);
		if (problems.length) {
			differ++;
			console.error(`DIFFER ${file.slice(dir.length + 1)}: ${problems.join('; ')}\n  JS: ${got.error?.message}\n  CLI: ${want.error?.message}`);
		}
	}
	// Mutations of every valid-looking vector (a character changed, cut short,
	// bytes of the inflated COSE changed and re-encoded), through the CLI's batch
	// mode (one JSON object per line) and the JS: garbage must be decided the
	// same, and the JS must never throw.
	const mutated = await mutations(walk(dir));
	for (const [certB64, clock, lines] of mutated) {
		const certFile = join(tmp, 'cert.b64');
		writeFileSync(certFile, certB64);
		const cli = spawnSync(binary, ['verify', '--status', 'offline', '--cert', certFile, '--at', clock, '-'],
			{ input: lines.join('\n') + '\n', encoding: 'utf8', maxBuffer: 1 << 28 });
		const outs = cli.stdout.trim().split('\n').map((l) => JSON.parse(l));
		if (outs.length !== lines.length) throw new Error(`the CLI answered ${outs.length} of ${lines.length} lines`);
		const store = trustStoreNew();
		await trustStoreAddCertificates(store, certB64);
		for (let i = 0; i < lines.length; i++) {
			const got = await verifyCredential(store, lines[i], { at: clock });
			const want = outs[i];
			compared++;
			const bad = STAGES.filter((st) => got.stages[st] !== want.stages[st]);
			if (got.valid !== want.valid || bad.length || (got.error?.stage ?? null) !== (want.error?.stage ?? null)) {
				differ++;
				if (differ < 20)
					console.error(`DIFFER mutation ${lines[i].slice(0, 60)}...: stages ${bad.join(',')}; JS ${got.error?.stage}: ${got.error?.message}; CLI ${want.error?.stage}: ${want.error?.message}`);
			}
		}
		mutationCount += lines.length;
	}
} finally {
	rmSync(tmp, { recursive: true, force: true });
}
console.log(`EU DCC vectors through the JS verifier: ${files} files and ${mutationCount} mutations, ${compared} compared with hromada verify, ${differ} differ`);
console.log(`${compared - differ} passed, ${differ} failed`);
process.exit(differ === 0 && compared > 0 ? 0 : 1);
