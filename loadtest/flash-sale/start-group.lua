-- wrk script for the flash sale: POST /v1/groups {"dealId": <deal>, "quantity": 1}, each wrk
-- thread its own buyer. Run with as many threads as connections (-t64 -c64) so that every
-- connection is one buyer with one token, as a real buyer's client would be.
--
-- Environment: FLASH_DEAL_ID, FLASH_TOKENS (file with one bearer token per line, at least as
-- many as threads). At the end prints one line for the benchmark script:
--   FLASH created=<201s> sold_out=<409 sold-out> other=<other statuses> p50_us=… p99_us=… duration_us=…
-- and the first unexpected answer, if any.

local tokens = {}
for line in io.lines(os.getenv("FLASH_TOKENS")) do
    if #line > 0 then tokens[#tokens + 1] = line end
end
local deal = os.getenv("FLASH_DEAL_ID")
local threads = {}
local next_token = 1

function setup(thread)
    if next_token > #tokens then
        error("FLASH_TOKENS has " .. #tokens .. " tokens, fewer than wrk threads")
    end
    thread:set("token", tokens[next_token])
    thread:set("deal", deal)
    next_token = next_token + 1
    threads[#threads + 1] = thread
end

local req
function init(args)
    created, sold_out, other, first_other = 0, 0, 0, ""
    req = wrk.format("POST", "/v1/groups", {
        ["Authorization"] = "Bearer " .. token,
        ["Content-Type"] = "application/json",
    }, '{"dealId": ' .. deal .. ', "quantity": 1}')
end

function request()
    return req
end

function response(status, headers, body)
    if status == 201 then
        created = created + 1
    elseif status == 409 and body:find("problems/sold-out", 1, true) then
        sold_out = sold_out + 1
    else
        other = other + 1
        if first_other == "" then first_other = status .. " " .. body:sub(1, 300) end
    end
end

function done(summary, latency, requests)
    local c, s, o, first = 0, 0, 0, ""
    for _, thread in ipairs(threads) do
        c = c + thread:get("created")
        s = s + thread:get("sold_out")
        o = o + thread:get("other")
        local f = thread:get("first_other")
        if first == "" and f ~= nil and f ~= "" then first = f end
    end
    io.write(string.format("FLASH created=%d sold_out=%d other=%d p50_us=%d p99_us=%d duration_us=%d\n",
        c, s, o, latency:percentile(50), latency:percentile(99), summary.duration))
    if first ~= "" then io.write("FLASH first_unexpected=" .. first:gsub("\n", " ") .. "\n") end
end
