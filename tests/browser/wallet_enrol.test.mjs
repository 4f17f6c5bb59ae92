// The citizen wallet page: enrolment through the page with the code from the
// out-of-band channel, the documents as cards in the browser's language
// (Ukrainian, English, Polish) and switchable, the same documents the CLI
// device lists, a wrong code refused in words, the session back after a reload.
import { run, check, hromada } from './lib.mjs';
import { cards, cliDocuments, enrolThroughPage, personWith, walletUrl } from './wallet_common.mjs';

run(import.meta.url, async (t) => {
	const platform = await t.startPlatform();
	const who = personWith(platform, 'UA', ['driver_licence']);

	// English and Polish browsers get the page in their language.
	for (const [locale, lang, heading] of [['en-GB', 'en', 'Connect this device'], ['pl-PL', 'pl', 'Połącz to urządzenie']]) {
		const { context, close } = await t.launchBrowser({ locale });
		const page = await context.newPage();
		await page.goto(walletUrl(platform));
		await page.waitForSelector('#view-enrol:not([hidden])');
		check(await page.getAttribute('html', 'lang') === lang, `${locale}: html lang is ${await page.getAttribute('html', 'lang')}`);
		const h1 = await page.textContent('#view-enrol h1');
		check(h1 === heading, `${locale}: enrol heading is '${h1}', not '${heading}'`);
		if (lang === 'en') {
			await t.axeCheck(page, 'enrol-en');
			await t.shot(page, 'enrol-en');
		}
		await close();
	}

	const { context } = await t.launchBrowser({ locale: 'uk-UA' });
	const page = await context.newPage();
	const problems = t.watchConsole(page);
	const sent = [];
	page.on('request', (r) => { if (new URL(r.url()).pathname === '/v1/documents') sent.push(r.headers()); });
	await page.goto(walletUrl(platform));
	await page.waitForSelector('#view-enrol:not([hidden])');
	check(await page.textContent('#view-enrol h1') === 'Підключити цей пристрій', 'uk-UA: the enrol page is not in Ukrainian');

	// A wrong code is refused in words; the right one from the outbox enrols.
	await page.fill('#person', who.person);
	await page.click('#enrol-person button[type=submit]');
	await page.waitForSelector('#enrol-code:not([hidden])');
	await t.axeCheck(page, 'enrol-code-uk');
	await t.shot(page, 'enrol-code-uk');
	const right = await platform.outboxCode(who.person);
	const wrong = String((Number(right) + 1) % 100000000).padStart(8, '0');
	await page.fill('#code', wrong);
	await page.click('#enrol-code button[type=submit]');
	await page.waitForSelector('#status[data-kind=error]');
	const said = await page.textContent('#status');
	check(said.includes('Код неправильний'), `a wrong code said '${said}'`);
	problems.length = 0; // the 400 of the wrong code is a console error by design
	await page.fill('#code', right);
	await page.click('#enrol-code button[type=submit]');
	await page.waitForSelector('#cards .card', { timeout: 30000 });
	check(await page.inputValue('#code') === '', 'the code is left in the form after enrolment');

	// The cards: the documents the CLI device lists, titled in Ukrainian.
	const shown = await cards(page);
	const listed = cliDocuments(platform, who.person);
	const numbers = (l) => l.map((d) => d.number ?? d.document_number).sort().join(',');
	check(numbers(shown) === numbers(listed), `the page shows ${numbers(shown)}, the CLI lists ${numbers(listed)}`);
	check(shown.length === who.documents.length, `${shown.length} cards for ${who.documents.length} documents in demo.json`);
	const licence = shown.find((c) => c.type === 'driver_licence');
	check(licence && licence.title === 'Посвідчення водія' && licence.badge === 'дійсний',
		`the driving licence card reads ${JSON.stringify(licence)}`);
	await t.axeCheck(page, 'documents-uk');

	// The browser's DPoP proof and consent are the CLI device's, byte for byte
	// in form: the same members in the same order, serialised the same way.
	const cli = hromada(['device', '--state', platform.stateDir, 'headers', who.person, 'GET', '/v1/documents']);
	check(cli.code === 0, `hromada device headers: ${cli.stderr}`);
	const [, cliProof, cliConsent] = cli.stdout.trim().split('\t');
	const browser = sent[sent.length - 1];
	check(browser && browser.dpop && browser['hromada-consent'], 'the page sent no DPoP proof and consent');
	const parts = (jws) => jws.split('.').slice(0, 2).map((p) => Buffer.from(p, 'base64url').toString('utf8'));
	const shape = (text) => JSON.stringify(JSON.parse(text), (k, v) => (v !== null && typeof v === 'object' ? v : typeof v));
	for (const [what, mine, theirs] of [['DPoP proof', browser.dpop, cliProof], ['consent', browser['hromada-consent'], cliConsent]]) {
		const [mh, mc] = parts(mine), [th, tc] = parts(theirs);
		for (const [part, a, b] of [['header', mh, th], ['claims', mc, tc]]) {
			check(shape(a) === shape(b), `${what} ${part}: the page's ${shape(a)} is not the CLI's ${shape(b)}`);
			check(JSON.stringify(JSON.parse(b)) === b && JSON.stringify(JSON.parse(a)) === a,
				`${what} ${part}: not serialised as the CLI does (${a} / ${b})`);
		}
		const [m, c] = [JSON.parse(mc), JSON.parse(tc)];
		for (const k of ['htm', 'htu', 'purpose', 'aud', 'sub'])
			check(JSON.stringify(m[k]) === JSON.stringify(c[k]), `${what}: ${k} is ${m[k]} in the page, ${c[k]} in the CLI`);
		check(JSON.stringify(m.docs) === JSON.stringify(c.docs), `${what}: docs ${m.docs} / ${c.docs}`);
	}
	await t.shot(page, 'documents-uk');

	// Switched to Polish, then English: the same cards in the other words.
	await page.selectOption('#lang', 'pl');
	check(await page.textContent('#view-documents h1') === 'Moje dokumenty', 'Polish: heading not switched');
	check((await cards(page)).find((c) => c.type === 'driver_licence').title === 'Prawo jazdy', 'Polish: card not switched');
	await t.axeCheck(page, 'documents-pl');
	await t.shot(page, 'documents-pl');
	await page.selectOption('#lang', 'en');
	check((await cards(page)).find((c) => c.type === 'driver_licence').title === 'Driving licence', 'English: card not switched');
	check(await page.getAttribute('html', 'lang') === 'en', 'English: html lang not switched');

	// A reload keeps the session (kept encrypted) and the chosen language.
	await page.reload();
	await page.waitForSelector('#cards .card', { timeout: 30000 });
	check(await page.textContent('#view-documents h1') === 'My documents', 'after a reload: not in the chosen English');
	check(numbers(await cards(page)) === numbers(listed), 'after a reload: other documents');
	check(problems.length === 0, `console errors: ${problems.join(' | ')}`);
});
