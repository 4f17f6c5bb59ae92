// Holder binding end to end between the two real pages, as a Ukrainian citizen
// and a Polish border guard would do it: each on a phone of their own (a
// browser of its own), and nothing passes between them but pictures of QR
// codes (element screenshots fed to the other page's image-upload input).
//   1. The citizen enrols in the wallet page and shows a driving licence QR.
//   2. The verifier page reads that picture: VALID, holder NOT confirmed, a
//      challenge QR.
//   3. The wallet's "Confirm to a verifier" reads the challenge picture, the
//      citizen confirms, the wallet shows the response QR.
//   4. The verifier page reads the response picture: holder confirmed.
//   5. Refusals: the response replayed to the next check of the same code
//      (single-use nonce), while the holder can still answer that check; the
//      screenshot of the citizen's QR shown later by someone else, whose own
//      wallet refuses the challenge (a QR it did not show), whose old
//      response picture is for another check, and whose wallet's signature
//      over the same nonce for its own QR is not the holder's (then the
//      challenge is used up); someone else's honest response for their own
//      credential refused for the first citizen's.
// axe-core on both pages in their binding states; screenshots of each state.
import { run, check, PHONE, qrPicture } from './lib.mjs';
import { enrolThroughPage, personWith } from './wallet_common.mjs';

const b64url = (b) => Buffer.from(b).toString('base64url');

const png = (name, buffer) => ({ name: `${name}.png`, mimeType: 'image/png', buffer });

// A picture of an <img> QR once it has drawn (the screenshot a phone's camera sees).
async function picture(page, selector) {
	await page.waitForFunction((s) => {
		const img = document.querySelector(s);
		return img && !img.closest('[hidden]') && img.complete && img.naturalWidth > 0;
	}, selector);
	return page.locator(selector).screenshot();
}

// The wallet: open a document's card and show its QR with every field.
async function showQr(page, type) {
	await page.click('#tabs button[data-tab=documents]');
	await page.click(`#cards .card[data-type=${type}] button.primary`);
	await page.waitForSelector('#view-qr:not([hidden]) #qr-fields:not([hidden])');
	await page.click('#qr-fields button[type=submit]');
	await page.waitForSelector('#qr-figure:not([hidden])');
	return picture(page, '#qr-img');
}

// The wallet reads a challenge picture under "Confirm to a verifier".
async function readChallenge(page, buffer) {
	await page.click('#tabs button[data-tab=confirm]');
	await page.waitForSelector('#view-confirm:not([hidden])');
	await page.setInputFiles('#bind-file', png('challenge', buffer));
}

// ... and the citizen confirms: the response QR's picture.
async function confirm(page) {
	await page.waitForSelector('#bind-question:not([hidden])');
	await page.click('#bind-yes');
	await page.waitForSelector('#bind-response:not([hidden])');
	return picture(page, '#bind-img');
}

// The verifier page's state: the verdict and the holder line.
function verifierState(page) {
	return page.evaluate(() => {
		const box = document.getElementById('result');
		const holder = document.getElementById('holder-status');
		const challenge = document.getElementById('challenge');
		return {
			shown: !box.hidden, valid: box.dataset.valid === 'true', stage: box.dataset.errorStage,
			holder: holder.dataset.holder, reason: holder.dataset.reason || '', holderText: holder.textContent,
			challenge: challenge.hidden ? null : document.getElementById('challenge-qr').dataset.text,
		};
	});
}

// The verifier reads a credential picture (after "Check another document" when
// a result is on screen) and, for a valid bound credential, shows a challenge
// other than the previous one. Returns the state and the challenge's picture.
async function verifierReads(page, buffer, previous) {
	if (await page.isVisible('#again')) {
		await page.click('#again');
		// the last check's challenge leaves with it, not to be shown with the next result
		const left = await page.evaluate(() => {
			const img = document.getElementById('challenge-qr');
			return img.getAttribute('src') || img.dataset.text || '';
		});
		check(left === '', `"Check another document" keeps the last challenge QR: ${left.slice(0, 40)}`);
	}
	await page.waitForSelector('#input:not([hidden])');
	await page.setInputFiles('#picture', png('credential', buffer));
	await page.waitForSelector('#result:not([hidden])');
	await page.waitForFunction((prev) => {
		const img = document.getElementById('challenge-qr');
		return !document.getElementById('challenge').hidden && img.dataset.text && img.dataset.text !== prev &&
			img.complete && img.naturalWidth > 0;
	}, previous || '');
	const state = await verifierState(page);
	return { state, challengePng: await picture(page, '#challenge-qr') };
}

// The verifier reads a response picture; the holder line changes (no two
// answers in a row here get the same word) and must say want: 'confirmed' or
// the reason it is not.
async function verifierAnswer(page, buffer, want) {
	const before = await verifierState(page);
	await page.setInputFiles('#holder-picture', png('response', buffer));
	await page.waitForFunction(([holder, reason]) => {
		const s = document.getElementById('holder-status');
		return s.dataset.holder !== holder || (s.dataset.reason || '') !== reason;
	}, [before.holder, before.reason]);
	const v = await verifierState(page);
	const got = v.holder === 'confirmed' ? 'confirmed' : v.reason;
	check(got === want, `the verifier says ${v.holder} (${v.reason}) where ${want} was due: ${v.holderText}`);
	return v;
}

// The pages' own words (messages.<page>.<lang>.<id>), from the page itself.
function words(page, table, lang) {
	return page.evaluate(async ([tb, lg]) => (await import('/common/i18n.js')).messages[tb][lg], [table, lang]);
}

run(import.meta.url, async (t) => {
	const platform = await t.startPlatform();
	const citizen = personWith(platform, 'UA', ['driver_licence']);
	const other = platform.demo.UA.find((p) => p.person !== citizen.person && p.documents.length);
	check(other, 'demo.json has no second UA person with documents');
	const otherType = other.documents.includes('driver_licence') ? 'driver_licence' : other.documents[0];
	t.log(`citizen ${citizen.person}, someone else ${other.person} (${otherType})`);

	// Three phones: the citizen's, the border guard's, someone else's. A phone's
	// screen has two pixels (or more) a CSS pixel: at one, the driving licence's
	// dense QR (343 CSS px wide on a 390 px phone) is under 3 pixels a module
	// and jsQR does not read it.
	const phone = { viewport: PHONE, deviceScaleFactor: 2, locale: 'uk-UA' };
	const citizenPhone = await t.launchBrowser(phone);
	const guardPhone = await t.launchBrowser({ ...phone, locale: 'pl-PL' });
	const otherPhone = await t.launchBrowser(phone);
	const wallet = await citizenPhone.context.newPage();
	const guard = await guardPhone.context.newPage();
	const wallet2 = await otherPhone.context.newPage();
	const problems = [wallet, guard, wallet2].map((p) => t.watchConsole(p));

	await guard.goto(`${platform.endpoints.trust}/verify/`);
	await guard.evaluate(() => window.hromadaVerifyPage.ready());
	const pl = await words(guard, 'verify', 'pl');
	check(await guard.evaluate(() => document.documentElement.lang) === 'pl', 'the verifier page is not in Polish on a Polish phone');
	await enrolThroughPage(t, platform, wallet, citizen.person);
	await enrolThroughPage(t, platform, wallet2, other.person);
	const uk = await words(wallet, 'wallet', 'uk');
	check(await wallet.evaluate(() => document.documentElement.lang) === 'uk', 'the wallet page is not in Ukrainian on a Ukrainian phone');

	// 1. The citizen shows the driving licence.
	const credential = await showQr(wallet, 'driver_licence');
	const shownAt = Date.now();
	await t.shot(wallet, 'wallet-qr');

	// 2. The guard reads its picture: valid, the holder not confirmed yet, a challenge.
	let { state: v, challengePng } = await verifierReads(guard, credential);
	check(v.valid, `the citizen's QR, read from its picture: not valid (${v.stage})`);
	check(v.holder === 'not-confirmed' && v.reason === '' && v.holderText === pl.holderNotConfirmed,
		`before an answer the holder line is ${v.holder}/${v.reason}: ${v.holderText}`);
	check(/^HRC1:[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{22}$/.test(v.challenge), `the challenge is ${v.challenge}`);
	const firstChallenge = v.challenge;
	await t.axeCheck(guard, 'verify-challenge');
	await t.shot(guard, 'verify-challenge');

	// 3. The citizen's wallet reads the challenge picture; the citizen confirms.
	await readChallenge(wallet, challengePng);
	await wallet.waitForSelector('#bind-question:not([hidden])');
	const question = await wallet.textContent('#bind-question-text');
	check(question === uk.bind_question.replace('{doc}', uk['doc.driver_licence']), `the wallet asks '${question}'`);
	await t.axeCheck(wallet, 'wallet-bind-question');
	await t.shot(wallet, 'wallet-bind-question');
	const response = await confirm(wallet);
	await t.axeCheck(wallet, 'wallet-bind-response');
	await t.shot(wallet, 'wallet-bind-response');

	// 4. The guard reads the response picture: the holder is confirmed.
	v = await verifierAnswer(guard, response, 'confirmed');
	check(v.holderText === pl.holderConfirmed && v.reason === '', `confirmed, the holder line says '${v.holderText}' (${v.reason})`);
	check(v.challenge === null, 'the challenge is still offered after the holder is confirmed');
	await t.axeCheck(guard, 'verify-holder-confirmed');
	await t.shot(guard, 'verify-holder-confirmed');

	// 5c. "Check another document", the same QR again: a new challenge; the
	// old response picture replayed to it is refused (single-use nonce) ...
	({ state: v, challengePng } = await verifierReads(guard, credential, firstChallenge));
	check(v.valid && v.holder === 'not-confirmed' && v.challenge !== firstChallenge, `re-scanned: ${JSON.stringify(v)}`);
	const secondChallenge = v.challenge;
	v = await verifierAnswer(guard, response, 'nonce');
	check(v.holderText === `${pl.holderNotConfirmed} ${pl.holder_nonce}`, `a replayed response: '${v.holderText}'`);
	await t.shot(guard, 'verify-replay-refused');
	// ... and the holder, still holding the phone, can answer this check.
	await readChallenge(wallet, challengePng);
	v = await verifierAnswer(guard, await confirm(wallet), 'confirmed');
	check(v.reason === '' && v.holderText === pl.holderConfirmed, `confirmed after a refusal, the reason '${v.reason}' stays`);

	// 5b. Later someone else shows the screenshot of the citizen's QR: it is
	// still valid, and the holder is not confirmed.
	const otherCredential = await showQr(wallet2, otherType);
	({ state: v, challengePng } = await verifierReads(guard, credential, secondChallenge));
	check(v.valid && v.holder === 'not-confirmed', `the screenshot shown by someone else: ${JSON.stringify(v)}`);
	const thirdChallenge = v.challenge;
	// 5a. Their own wallet refuses the challenge: it is for a QR it did not show.
	await readChallenge(wallet2, challengePng);
	await wallet2.waitForSelector('#status[data-kind=error], #bind-question:not([hidden])');
	const refusal = await wallet2.textContent('#status');
	check(refusal === uk.bind_other_document, `someone else's wallet, on the citizen's challenge, says '${refusal}'`);
	check(await wallet2.isHidden('#bind-question') && await wallet2.isHidden('#bind-response'),
		'someone else\'s wallet offers to answer a challenge for a QR it did not show');
	await t.axeCheck(wallet2, 'wallet-bind-refused');
	await t.shot(wallet2, 'wallet-bind-refused');
	// The citizen's old response picture is for another check.
	v = await verifierAnswer(guard, response, 'nonce');
	// A challenge picture made up from this check's nonce and their own QR's
	// hash: their wallet signs it, but not with the key the document names.
	const nonce = /^HRC1:([A-Za-z0-9_-]+)\./.exec(thirdChallenge)[1];
	const ownQrText = await t.readQr(otherPhone.context, otherCredential);
	check(ownQrText && ownQrText.startsWith('HR1:'), 'someone else\'s QR does not read back');
	const ownHash = (await import('node:crypto')).createHash('sha256').update(ownQrText, 'utf8').digest().subarray(0, 16);
	await readChallenge(wallet2, qrPicture(`HRC1:${nonce}.${b64url(ownHash)}`, 32));
	const forged = await confirm(wallet2);
	v = await verifierAnswer(guard, forged, 'signature');
	check(v.holderText === `${pl.holderNotConfirmed} ${pl.holder_signature}`, `another phone's signature: '${v.holderText}'`);
	check(v.challenge === thirdChallenge, 'after a wrong answer the challenge is no longer shown');
	await t.axeCheck(guard, 'verify-holder-refused');
	await t.shot(guard, 'verify-holder-refused');
	// The wrong answer used the challenge up: not even a second try.
	v = await verifierAnswer(guard, forged, 'used');

	// 5a. Someone else's honest answer for their own credential confirms them ...
	({ state: v, challengePng } = await verifierReads(guard, otherCredential, thirdChallenge));
	check(v.valid && v.holder === 'not-confirmed', `someone else's own QR: ${JSON.stringify(v)}`);
	const ownChallenge = v.challenge;
	await readChallenge(wallet2, challengePng);
	const ownResponse = await confirm(wallet2);
	v = await verifierAnswer(guard, ownResponse, 'confirmed');
	// ... and is refused for the citizen's.
	({ state: v } = await verifierReads(guard, credential, ownChallenge));
	v = await verifierAnswer(guard, ownResponse, 'nonce');
	check(v.holder === 'not-confirmed', 'someone else\'s response confirms the citizen');
	const elapsed = (Date.now() - shownAt) / 1000;
	check(elapsed < 170, `the steps took ${elapsed.toFixed(0)} s of the QR's 180 s; the last checks may have met an expired code`);
	t.log(`from the citizen's QR to the last check: ${elapsed.toFixed(1)} s`);

	for (const [i, list] of problems.entries()) check(list.length === 0, `console errors on page ${i}: ${list.join(' | ')}`);
});
