// The wallet page's access history in words ("Polish police, 12:03, legal
// basis: cross-border check — proof checked"), each entry's inclusion proof
// checked in the browser (and a tampered proof shown as not matching); report
// lost with a confirmation step (cancel changes nothing, confirm suspends it);
// "was my data leaked" before and after leakscan publishes a dump naming them.
import fs from 'node:fs';
import path from 'node:path';
import { run, check, hromada } from './lib.mjs';
import { cards, cliDocuments, enrolThroughPage, personWith } from './wallet_common.mjs';

run(import.meta.url, async (t) => {
	const platform = await t.startPlatform();
	const who = personWith(platform, 'UA', ['driver_licence', 'vehicle_registration']);
	const { context } = await t.launchBrowser({ locale: 'en-GB' });
	const page = await context.newPage();
	const problems = t.watchConsole(page);
	await enrolThroughPage(t, platform, page, who.person);
	const licence = (await cards(page)).find((c) => c.type === 'driver_licence');

	// The Polish police check the licence across the border.
	const gateway = platform.endpoints.PL.gateway;
	const police = hromada(['member', '--state', platform.stateDir, '--as', 'PL/GOV/00000003/police', 'request', 'POST',
		`${gateway}/x/UA/GOV/00015622/driver_licence/status`, '--json', JSON.stringify({ document_number: licence.number })]);
	check(police.code === 0, `the Polish police check failed: ${police.stderr}${police.stdout}`);

	await page.click('#tabs button[data-tab=history]');
	await page.waitForSelector('#history-list li.entry', { timeout: 30000 });
	const entries = await page.$$eval('#history-list li.entry', (l) => l.map((e) => ({
		text: e.textContent, proven: e.classList.contains('proven') })));
	const check_ = entries.find((e) => e.text.includes('Polish police'));
	check(check_, `no entry names the Polish police: ${entries.map((e) => e.text).join(' / ')}`);
	check(/Polish police, \d\d:\d\d/.test(check_.text), `the police entry has no time: ${check_.text}`);
	check(check_.text.includes('checked the validity of: Driving licence'), `the police entry does not say what: ${check_.text}`);
	check(check_.text.includes('legal basis: cross-border check'), `the police entry has no legal basis in words: ${check_.text}`);
	check(check_.text.includes('proof checked'), `the police entry's proof is not checked: ${check_.text}`);
	check(entries.every((e) => e.proven), 'an entry\'s inclusion proof does not hold');
	check(entries.some((e) => e.text.includes('You, through this wallet') && e.text.includes('with your consent')),
		'the wallet\'s own reads are not shown as the citizen\'s');
	await t.axeCheck(page, 'history');
	await t.shot(page, 'history');

	// A history whose proof was altered on the way is shown as not matching.
	await page.route('**/v1/access-log*', async (route) => {
		const answer = await (await route.fetch()).json();
		const e = answer.entries[0];
		const bytes = Buffer.from(e.inclusion[0], 'base64');
		bytes[0] ^= 1;
		e.inclusion[0] = bytes.toString('base64');
		await route.fulfill({ json: answer });
	});
	await page.click('#tabs button[data-tab=history]');
	await page.waitForSelector('#history-list li.entry.unproven', { timeout: 30000 });
	check((await page.textContent('#history-list li.entry.unproven')).includes('PROOF DOES NOT MATCH'),
		'an altered proof is not said to fail');
	await page.unroute('**/v1/access-log*');

	// Report lost: a confirmation first; cancel changes nothing.
	await page.click('#tabs button[data-tab=documents]');
	await page.waitForSelector('#cards .card');
	await page.click('#cards .card[data-type=vehicle_registration] button.quiet');
	await page.waitForSelector('#view-lost:not([hidden])');
	const warning = await page.textContent('#lost-text');
	check(warning.includes('Vehicle registration') && warning.includes('suspended'), `the confirmation says '${warning}'`);
	await t.axeCheck(page, 'report-lost');
	await t.shot(page, 'report-lost');
	await page.click('#lost-cancel');
	await page.waitForSelector('#view-documents:not([hidden])');
	const cli = () => cliDocuments(platform, who.person).find((d) => d.type === 'vehicle_registration');
	check(cli().status === 'valid', `cancel changed the registration to ${cli().status}`);
	await page.click('#cards .card[data-type=vehicle_registration] button.quiet');
	await page.click('#lost-confirm');
	await page.waitForSelector('#status[data-kind=ok]', { timeout: 30000 });
	const after = (await cards(page)).find((c) => c.type === 'vehicle_registration');
	const recorded = cli().status;
	check(recorded !== 'valid', 'the registry still holds the registration as valid');
	check(after.badge === recorded, `the card says '${after.badge}', the registry '${recorded}'`);
	check(await page.isDisabled('#cards .card[data-type=vehicle_registration] button.primary'), 'a QR is still offered for it');
	await t.shot(page, 'reported-lost');

	// Was my data leaked: not yet; then leakscan publishes a dump naming them.
	await page.click('#tabs button[data-tab=leaks]');
	await page.click('#leaks-check');
	await page.waitForSelector('#leaks-result p');
	let said = await page.textContent('#leaks-result');
	check(said.includes('not found in any known leak'), `before any dump: '${said}'`);
	await t.axeCheck(page, 'leaks-none');
	const dump = path.join(t.tempDir('dump'), 'shop.csv');
	fs.writeFileSync(dump, `rnokpp,surname,name,phone\n${who.person.slice(3)},${who.family_name},${who.given_name},+380501234567\n`);
	const scan = hromada(['leakscan', '--state', platform.stateDir, '--name', 'shop-2026', dump]);
	check(scan.code === 0 && (scan.stdout + scan.stderr).includes('published 1'), `leakscan (exit ${scan.code}): ${scan.stderr}${scan.stdout}`);
	await page.click('#leaks-check');
	await page.waitForSelector('#leaks-result .warning');
	said = await page.textContent('#leaks-result');
	check(said.includes('found in 1 leak') && said.includes('shop-2026') && said.includes('Family name') && said.includes('Full name') && said.includes('Phone'),
		`after the dump: '${said}'`);
	await t.axeCheck(page, 'leaks-found');
	await t.shot(page, 'leaks-found');
	await page.selectOption('#lang', 'uk');
	said = await page.textContent('#leaks-result');
	check(said.includes('shop-2026') && said.includes('Прізвище'), `in Ukrainian: '${said}'`);
	check(problems.length === 0, `console errors: ${problems.join(' | ')}`);
});
