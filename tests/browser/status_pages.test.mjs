// The page at / of every role: what runs, its health, figures, links; no
// script, nothing blocked by the page policy, accessible, at phone and desktop
// sizes.
import { run, check } from './lib.mjs';

run(import.meta.url, async (t) => {
	const platform = await t.startPlatform({ countries: 'UA' });
	const { context } = await t.launchBrowser();
	const page = await context.newPage();
	const problems = t.watchConsole(page);
	const e = platform.endpoints;
	const roles = [['trust', e.trust], ['nccc', e.nccc], ['UA/wallet', e.UA.wallet],
		['UA/gateway', e.UA.gateway], ...Object.entries(e.UA.registries).map(([type, url]) => [`UA/${type}`, url])];
	check(roles.length >= 12, `expected at least 12 roles, endpoints.json has ${roles.length}`);
	for (const [name, url] of roles) {
		const answer = await page.goto(`${url}/`);
		check(answer.status() === 200, `${name}: / answered ${answer.status()}`);
		const csp = answer.headers()['content-security-policy'] || '';
		check(csp.includes("default-src 'none'") && csp.includes("frame-ancestors 'none'"),
			`${name}: / has no strict Content-Security-Policy: ${csp}`);
		const h1 = await page.textContent('h1');
		check(h1.includes(name.split('/').pop()), `${name}: heading is '${h1}'`);
		check(await page.isVisible('.state.ok'), `${name}: not shown as healthy`);
		const css = await page.evaluate(() => getComputedStyle(document.querySelector('.state')).backgroundColor);
		check(css !== 'rgba(0, 0, 0, 0)', `${name}: /status.css not applied (${css})`);
		const links = await page.$$eval('a', (as) => as.map((a) => a.getAttribute('href')));
		for (const want of ['/healthz', '/metrics', '/docs/ARCHITECTURE.md'])
			check(links.includes(want), `${name}: no link to ${want}`);
		if (name === 'UA/wallet') check(links.includes('/wallet/'), 'wallet: no link to the citizen wallet');
		if (name === 'trust') check(links.includes('/verify/'), 'trust: no link to the verifier page');
	}
	// The figures follow the server: a request shows up in the next page.
	await page.goto(`${e.UA.gateway}/`);
	const before = Number(await page.textContent('tr:has(th:text("Answered")) td'));
	await page.goto(`${e.UA.gateway}/healthz`);
	await page.goto(`${e.UA.gateway}/`);
	const after = Number(await page.textContent('tr:has(th:text("Answered")) td'));
	check(after >= before + 2, `gateway: Answered went from ${before} to ${after} over two requests`);
	await t.axeCheck(page, 'gateway-status');
	await t.shot(page, 'gateway-status');
	await page.goto(`${e.UA.wallet}/`);
	await t.axeCheck(page, 'wallet-status');
	await t.shot(page, 'wallet-status');
	// The overview of the whole platform.
	check(typeof e.overview === 'string', 'endpoints.json has no overview URL');
	await page.goto(`${e.overview}/`);
	const state = await page.textContent('.state');
	check(state.trim() === `${roles.length} of ${roles.length} services healthy`, `overview says '${state}'`);
	const rows = await page.$$eval('tbody tr', (trs) => trs.length);
	check(rows === roles.length, `overview lists ${rows} services, not ${roles.length}`);
	const people = await page.$$eval('a', (as) => as.map((a) => a.href));
	check(people.includes(`${e.UA.wallet}/wallet/`) && people.includes(`${e.trust}/verify/`),
		`overview does not link the wallet and verifier pages: ${people.join(' ')}`);
	await t.axeCheck(page, 'overview');
	await t.shot(page, 'overview');
	// A doc link opens the doc as text.
	const doc = await page.goto(`${e.UA.wallet}/docs/KEYS.md`);
	check(doc.status() === 200 && doc.headers()['content-type'].startsWith('text/plain'),
		`docs/KEYS.md: ${doc.status()} ${doc.headers()['content-type']}`);
	check(problems.length === 0, `console errors: ${problems.join(' | ')}`);
});
