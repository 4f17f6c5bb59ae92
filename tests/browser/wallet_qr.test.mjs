// The wallet page's QR: shown with a visible 180 s countdown that runs down and
// then greys the code out; read back from a screenshot and valid for
// `hromada verify` with the trust list; two fields chosen, exactly those two
// (and the status) in the QR; the wallet's side of holder binding: a
// verifier's challenge for this QR is signed with the device key (checked here
// against the credential's cnf), a challenge for another document is refused.
import crypto from 'node:crypto';
import { run, check, qrPicture } from './lib.mjs';
import { enrolThroughPage, personWith, readShownQr, verify } from './wallet_common.mjs';

const b64url = (b) => Buffer.from(b).toString('base64url');

async function openCard(page, type) {
	await page.click(`#cards .card[data-type=${type}] button.primary`);
	await page.waitForSelector('#view-qr:not([hidden]) #qr-fields:not([hidden])');
}

run(import.meta.url, async (t) => {
	const platform = await t.startPlatform();
	const who = personWith(platform, 'UA', ['driver_licence']);
	const { context } = await t.launchBrowser({ locale: 'en-GB' });
	const page = await context.newPage();
	await page.clock.install(); /* real time flows; fast-forwarded at the end */
	const problems = t.watchConsole(page);
	await enrolThroughPage(t, platform, page, who.person);

	// Everything: a QR, a countdown that is visible and runs down.
	await openCard(page, 'driver_licence');
	await t.axeCheck(page, 'qr-fields');
	await t.shot(page, 'qr-fields');
	await page.click('#qr-fields button[type=submit]');
	await page.waitForSelector('#qr-figure:not([hidden])');
	const seconds = async () => Number((/(\d+)/.exec(await page.textContent('#qr-countdown')) || [])[1]);
	check(await page.isVisible('#qr-countdown'), 'the countdown is not visible');
	const first = await seconds();
	check(first >= 170 && first <= 180, `the countdown starts at ${first} s`);
	await page.waitForTimeout(2600);
	const later = await seconds();
	check(later <= first - 2 && later > 0, `the countdown went from ${first} to ${later} in 2.6 s`);
	const all = await readShownQr(t, context, page);
	check(all && all.startsWith('HR1:'), `no HR1 QR read back from the screenshot: ${all}`);
	let v = verify(platform, all);
	check(v.code === 0 && v.json.valid === true, `hromada verify says ${JSON.stringify(v.json && v.json.error)}`);
	check(v.json.claims.document.t === 'driver_licence' && v.json.claims.document.family_name,
		'the full QR lacks the family name');
	const cnf = v.json.claims.cnf && v.json.claims.cnf.jwk;
	check(cnf && cnf.crv === 'P-256', 'the credential is not bound to the device (no cnf)');
	await t.axeCheck(page, 'qr');
	await t.shot(page, 'qr');

	// Holder binding, the wallet's side: the verifier's challenge for this QR.
	const nonce = crypto.randomBytes(16);
	const hash = crypto.createHash('sha256').update(all, 'utf8').digest().subarray(0, 16);
	await page.click('#tabs button[data-tab=confirm]');
	await page.setInputFiles('#bind-file', { name: 'challenge.gif', mimeType: 'image/gif',
		buffer: qrPicture(`HRC1:${b64url(nonce)}.${b64url(hash)}`) });
	await page.waitForSelector('#bind-question:not([hidden])');
	await t.axeCheck(page, 'bind-question');
	await t.shot(page, 'bind-question');
	await page.click('#bind-yes');
	await page.waitForSelector('#bind-response:not([hidden])');
	const response = await readShownQr(t, context, page, '#bind-img');
	const m = /^HRR1:([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)$/.exec(response || '');
	check(m && m[1] === b64url(nonce), `the response QR reads '${response}'`);
	const key = await crypto.webcrypto.subtle.importKey('jwk', { ...cnf, ext: true },
		{ name: 'ECDSA', namedCurve: 'P-256' }, false, ['verify']);
	const signed = Buffer.from(`hromada-holder-binding-v1.${b64url(nonce)}.${b64url(hash)}`, 'utf8');
	const good = await crypto.webcrypto.subtle.verify({ name: 'ECDSA', hash: 'SHA-256' }, key,
		Buffer.from(m[2], 'base64url'), signed);
	check(good, 'the holder-binding signature does not verify under the credential\'s cnf key');
	await t.axeCheck(page, 'bind-response');
	await t.shot(page, 'bind-response');
	// A challenge for a QR this wallet did not show is refused, nothing signed.
	await page.setInputFiles('#bind-file', { name: 'other.gif', mimeType: 'image/gif',
		buffer: qrPicture(`HRC1:${b64url(crypto.randomBytes(16))}.${b64url(crypto.randomBytes(16))}`) });
	await page.waitForSelector('#status[data-kind=error]');
	const refusal = await page.textContent('#status');
	check(refusal.includes('for another document'), `another document's challenge said '${refusal}'`);
	check(await page.isHidden('#bind-question'), 'a foreign challenge is offered for confirmation');

	// Two fields: the QR carries exactly them (and the status, always).
	await page.click('#tabs button[data-tab=documents]');
	await page.waitForSelector('#cards .card');
	await openCard(page, 'driver_licence');
	await page.uncheck('#qr-all');
	await page.check('#qr-field-list input[value=family_name]');
	await page.check('#qr-field-list input[value=birth_date]');
	await page.click('#qr-fields button[type=submit]');
	await page.waitForSelector('#qr-figure:not([hidden])');
	const two = await readShownQr(t, context, page);
	check(two && two.startsWith('HR1:') && two !== all, 'no new QR read back for two fields');
	v = verify(platform, two);
	check(v.code === 0 && v.json.valid === true, `two fields: hromada verify says ${JSON.stringify(v.json.error)}`);
	const keys = Object.keys(v.json.claims.document).filter((k) => !['t', 'v', 'status'].includes(k)).sort();
	check(keys.join(',') === 'birth_date,family_name', `the two-field QR carries ${keys.join(',')}`);
	const listed = await page.$$eval('#qr-disclosed dt', (d) => d.map((x) => x.textContent));
	check(listed.join('|') === 'Family name|Date of birth|Status' || listed.sort().join('|') === ['Date of birth', 'Family name', 'Status'].sort().join('|'),
		`the page lists ${listed.join(', ')} as disclosed`);
	await t.shot(page, 'qr-two-fields');

	// 180 s later the code is greyed out and a new one is offered.
	await page.clock.fastForward('03:01');
	await page.waitForSelector('#qr-figure.expired', { timeout: 5000 });
	check(await page.isVisible('#qr-new'), 'no "New QR" after the countdown');
	check((await page.textContent('#qr-countdown')).includes('Time is up'), 'the expiry is not said');
	await t.axeCheck(page, 'qr-expired');
	await t.shot(page, 'qr-expired');
	check(problems.length === 0, `console errors: ${problems.join(' | ')}`);
});
