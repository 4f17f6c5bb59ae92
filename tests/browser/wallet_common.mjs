// wallet_common.mjs — what the wallet page's browser tests share (not a test:
// no .test.mjs): enrolment through the page, finding a person with documents,
// the card list as the page shows it.
import { check, hromada } from './lib.mjs';

// A demo person of country with every document type in want (demo.json).
export function personWith(platform, country, want = []) {
	const people = platform.demo[country] || [];
	const p = people.find((x) => want.every((d) => x.documents.includes(d)));
	check(p, `demo.json has no ${country} person holding ${want.join(', ')}`);
	return p;
}

export function walletUrl(platform, country = 'UA') {
	return `${platform.endpoints[country].wallet}/wallet/`;
}

// Enrols person through the page: the id, then the code from the outbox.
export async function enrolThroughPage(t, platform, page, person) {
	await page.goto(walletUrl(platform, person.slice(0, 2)));
	await page.waitForSelector('#view-enrol:not([hidden])');
	const since = Date.now() - 1000;
	await page.fill('#person', person);
	await page.click('#enrol-person button[type=submit]');
	await page.waitForSelector('#enrol-code:not([hidden])', { timeout: 15000 });
	const code = await platform.outboxCode(person, { newerThan: since });
	await page.fill('#code', code);
	await page.click('#enrol-code button[type=submit]');
	await page.waitForSelector('#cards .card', { timeout: 30000 });
}

// The cards as shown: [{type, title, number, badge}].
export async function cards(page) {
	return page.$$eval('#cards .card[data-type]', (list) => list.map((c) => ({
		type: c.dataset.type,
		title: c.querySelector('h2').textContent,
		number: c.querySelector('.doc-number').textContent,
		badge: c.querySelector('.badge').textContent,
	})));
}

// What `hromada device documents` lists for person (a device of its own).
export function cliDocuments(platform, person) {
	let r = hromada(['device', '--state', platform.stateDir, 'enrol', person]);
	check(r.code === 0, `hromada device enrol ${person}: ${r.stderr}${r.stdout}`);
	r = hromada(['device', '--state', platform.stateDir, 'documents', person, '--json']);
	if (r.code !== 0 || !r.json) r = hromada(['device', '--state', platform.stateDir, 'documents', person]);
	check(r.code === 0 && r.json, `hromada device documents ${person}: ${r.stderr}${r.stdout}`);
	return r.json.documents.filter((d) => !d.error);
}

// The QR image on the page, read back from a screenshot of it.
export async function readShownQr(t, context, page, selector = '#qr-img') {
	const png = await page.locator(selector).screenshot();
	return t.readQr(context, png);
}

// hromada verify against the platform's trust service and pinned anchor.
export function verify(platform, payload) {
	const r = hromada(['verify', '--trust-url', platform.endpoints.trust, '--trust-anchor',
		`${platform.stateDir}/trust-anchor.pem`, '--trust-cache', `${platform.stateDir}/verify-cache`, payload]);
	check(r.json, `hromada verify printed no JSON (exit ${r.code}): ${r.stderr}${r.stdout}`);
	return r;
}
