// No personal data at rest: after a wallet session — enrol, documents, a QR,
// the access history, "was my data leaked" — the whole browser profile
// (LevelDB of IndexedDB and Local Storage, Cache Storage, the HTTP cache,
// session files, everything) is read byte by byte for the person id, the
// names, the document numbers, other document values and the QR payload, in
// UTF-8 and UTF-16: none may be there. Twice: after "Sign out" and browser
// close, and after closing the browser without signing out (the session is
// kept encrypted only). Controls prove the scan reads the profile's LevelDB
// files: the language choice and the wallet's key database are found.
import fs from 'node:fs';
import path from 'node:path';
import { run, check, hromada } from './lib.mjs';
import { cards, enrolThroughPage, personWith, readShownQr } from './wallet_common.mjs';

function* files(dir) {
	for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
		const p = path.join(dir, e.name);
		if (e.isDirectory()) yield* files(p);
		else if (e.isFile()) yield p;
	}
}

// Every file holding any needle (UTF-8 or UTF-16LE): [{file, needle}].
function scan(dir, needles) {
	const patterns = needles.flatMap((n) => [[n, Buffer.from(n, 'utf8')], [n, Buffer.from(n, 'utf16le')]]);
	const found = [];
	let count = 0, bytes = 0;
	for (const file of files(dir)) {
		const data = fs.readFileSync(file);
		count++;
		bytes += data.length;
		for (const [needle, pattern] of patterns)
			if (data.includes(pattern)) found.push({ file: path.relative(dir, file), needle });
	}
	return { found, count, bytes };
}

async function session(t, platform, who, { signOut }) {
	const { context, userDataDir, close } = await t.launchBrowser({ locale: 'uk-UA' });
	const page = await context.newPage();
	await enrolThroughPage(t, platform, page, who.person);
	const shown = await cards(page);
	await page.click('#cards .card[data-type=driver_licence] button.primary');
	await page.click('#qr-fields button[type=submit]');
	await page.waitForSelector('#qr-figure:not([hidden])');
	const qr = await readShownQr(t, context, page);
	check(qr && qr.startsWith('HR1:'), 'no QR read back');
	await page.click('#tabs button[data-tab=history]');
	await page.waitForSelector('#history-list li.entry', { timeout: 30000 });
	await page.click('#tabs button[data-tab=leaks]');
	await page.click('#leaks-check');
	await page.waitForSelector('#leaks-result p');
	await page.selectOption('#lang', 'en'); /* a choice kept in localStorage: the control */
	await page.reload(); /* resumes from the encrypted session */
	await page.waitForSelector('#cards .card', { timeout: 30000 });
	if (signOut) {
		await page.click('#sign-out');
		await page.waitForSelector('#view-enrol:not([hidden])');
		check((await page.textContent('#status')).includes('None of your data'), 'sign-out does not say so');
		check(await page.$$eval('#cards .card', (l) => l.length) === 0, 'cards left on the page after sign-out');
		await t.shot(page, 'signed-out');
		await t.axeCheck(page, 'signed-out');
	}
	await page.close();
	await close();
	return { userDataDir, shown, qr };
}

run(import.meta.url, async (t) => {
	const platform = await t.startPlatform();
	const who = personWith(platform, 'UA', ['driver_licence', 'id_card']);
	// Every text value of the documents, as the registry holds them (a CLI device).
	hromada(['device', '--state', platform.stateDir, 'enrol', who.person]);
	const values = new Set([who.person, who.person.slice(3), who.given_name, who.family_name]);
	for (const type of ['driver_licence', 'id_card']) {
		const r = hromada(['device', '--state', platform.stateDir, 'show', who.person, type, '--json']);
		const doc = (r.json || hromada(['device', '--state', platform.stateDir, 'show', who.person, type]).json).document;
		for (const [k, v] of Object.entries(doc))
			if (typeof v === 'string' && v.length >= 5 && !['t', 'status'].includes(k) && !/date$/.test(k)) values.add(v);
	}

	for (const signOut of [true, false]) {
		const label = signOut ? 'after sign-out and close' : 'after close without sign-out';
		const { userDataDir, shown, qr } = await session(t, platform, who, { signOut });
		for (const c of shown) values.add(c.number);
		const needles = [...values, qr.slice(0, 48), qr.slice(-48)];
		const { found, count, bytes } = scan(userDataDir, needles);
		t.log(`${label}: ${count} files, ${bytes} bytes scanned for ${needles.length} values`);
		check(found.length === 0, `${label}: personal data at rest: ${found.map((f) => `'${f.needle}' in ${f.file}`).join('; ')}`);
		// Controls: the scan does see what the page keeps.
		const controls = scan(userDataDir, ['hromada.lang', ...(signOut ? [] : ['hromada-wallet'])]).found.map((f) => f.needle);
		check(controls.includes('hromada.lang'), `${label}: the scan did not find the language choice in Local Storage`);
		if (!signOut) check(controls.includes('hromada-wallet'), `${label}: the scan did not find the key database in IndexedDB`);
	}
});
