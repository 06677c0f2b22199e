-- wrk script for bench/memory.sh: rotates over the public reading API.
local paths = {
  "/api/v1/articles",
  "/api/v1/articles?per_page=50",
  "/api/v1/articles?q=%E8%90%8D%E4%B9%A1",
  "/api/v1/channels",
  "/api/v1/articles/1",
  "/api/v1/articles/2/related",
  "/readyz",
}
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i % #paths) + 1])
end
