-- wrk script for bench/wallet_documents.sh: every request carries its own
-- DPoP proof (a proof is good for one call), its citizen's access token and
-- consent. LINES names a file of "authorization<TAB>dpop<TAB>consent" lines;
-- thread k of n takes lines k, k+n, k+2n... so no proof is sent twice.
-- global: bench/wallet_paced.lua, which loads this file, reads every thread's counts
threads = {}
local counter = 0

function setup(thread)
	thread:set("id", counter)
	counter = counter + 1
	table.insert(threads, thread)
end

function init(args)
	local path = os.getenv("LINES")
	local n = tonumber(os.getenv("THREADS"))
	auth, proof, consent = {}, {}, {}
	local i = 0
	for line in io.lines(path) do
		if i % n == id then
			local a, d, c = line:match("^([^\t]+)\t([^\t]+)\t([^\t]+)$")
			table.insert(auth, a)
			table.insert(proof, d)
			table.insert(consent, c)
		end
		i = i + 1
	end
	next_line = 0
	target = os.getenv("TARGET_PATH")
end

function request()
	next_line = next_line + 1
	if next_line > #proof then
		-- out of proofs: a reused one would be refused (401) and counted
		next_line = 1
	end
	return wrk.format("GET", target, {
		["Authorization"] = auth[next_line],
		["DPoP"] = proof[next_line],
		["Hromada-Consent"] = consent[next_line],
	})
end
