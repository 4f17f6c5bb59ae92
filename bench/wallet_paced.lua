-- wrk script for bench/wallet_documents.sh's open-loop run: the requests of
-- bench/wallet.lua (one DPoP proof each, from LINES), sent on a schedule fixed
-- in advance instead of as fast as answers come back.
--
-- RATE is the rate wanted over all THREADS threads. Each thread draws its own
-- arrival times, a Poisson process of RATE/THREADS (exponential gaps), and
-- every connection that falls idle takes the next arrival not yet taken and
-- waits for it (delay()). With enough connections an idle one is always there
-- when an arrival comes, and wrk's latency (from the send to the answer) is the
-- latency an open-loop client sees. When none is, the send leaves late and
-- wrk, measuring from the send, would hide the wait (coordinated omission):
-- such sends are counted (late, late_max_ms) so that a run where it happened
-- can be told apart; bench/wallet_documents.sh reports them.
--
-- done() prints one line:
--   paced: rps=R p50_ms= p99_ms= p999_ms= mean_ms= max_ms= late=N late_max_ms= non2xx= timeouts=
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(here .. "wallet.lua")

local ffi = require("ffi")
ffi.cdef [[
typedef struct { long tv_sec; long tv_nsec; } hr_paced_timespec;
int clock_gettime(int clock, hr_paced_timespec *tp);
]]
local ts = ffi.new("hr_paced_timespec")
local CLOCK_MONOTONIC = 1

local function now_ms()
	ffi.C.clock_gettime(CLOCK_MONOTONIC, ts)
	return tonumber(ts.tv_sec) * 1e3 + tonumber(ts.tv_nsec) / 1e6
end

local wallet_init = init
function init(args)
	wallet_init(args)
	local rate = tonumber(os.getenv("RATE")) / tonumber(os.getenv("THREADS"))
	gap_ms = 1000 / rate
	math.randomseed(os.time() * 1000 + id)
	slot = nil
	late = 0
	late_max_ms = 0
end

-- the next arrival of this thread's Poisson process, in ms
local function next_slot(now)
	if slot == nil then
		slot = now
	end
	slot = slot + gap_ms * -math.log(1 - math.random())
	return slot
end

function delay()
	local now = now_ms()
	local d = next_slot(now) - now
	if d < -1 then
		-- no connection was idle when this arrival came: it leaves late
		late = late + 1
		if -d > late_max_ms then
			late_max_ms = -d
		end
	end
	if d <= 0 then
		return 0
	end
	-- wrk waits whole milliseconds: round, so the mean rate stays the one asked
	return math.floor(d + 0.5)
end

function done(summary, latency, requests)
	local n, worst = 0, 0
	for _, t in ipairs(threads) do
		n = n + t:get("late")
		local m = t:get("late_max_ms")
		if m > worst then
			worst = m
		end
	end
	local ms = function(us)
		return us / 1000
	end
	io.write(string.format(
		"paced: rps=%.1f p50_ms=%.3f p99_ms=%.3f p999_ms=%.3f mean_ms=%.3f max_ms=%.3f " ..
			"late=%d late_max_ms=%.1f non2xx=%d timeouts=%d\n",
		summary.requests / (summary.duration / 1e6), ms(latency:percentile(50)),
		ms(latency:percentile(99)), ms(latency:percentile(99.9)), ms(latency.mean), ms(latency.max), n,
		worst, summary.errors.status, summary.errors.timeout))
end
