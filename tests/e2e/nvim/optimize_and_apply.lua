-- Headless Neovim (0.7+) drives speedlens like a user would, with the README's Neovim 0.7 snippet: open a file,
-- start the server (its speedlens/status messages echoed), run "optimize file" (its result shown), take the
-- preferred quick fix, apply its edit and write the file.
-- Inputs (environment): SPEEDLENS_FILE (the C++ file), SPEEDLENS_CMD (JSON list: the server command),
-- SPEEDLENS_RESULT (where to write a JSON summary for the test). Exits non-zero on failure.

local file = os.getenv("SPEEDLENS_FILE")
local cmd = vim.fn.json_decode(os.getenv("SPEEDLENS_CMD"))
local result_path = os.getenv("SPEEDLENS_RESULT")
local summary = { steps = {} }

local function finish(ok, message)
  summary.ok = ok
  summary.message = message
  local fh = io.open(result_path, "w")
  fh:write(vim.fn.json_encode(summary))
  fh:close()
  vim.cmd(ok and "qall!" or "cquit! 1")
end

local function step(name) table.insert(summary.steps, name) end

-- As in the README: progress and outcome on the command line, the command's result as a notification.
summary.echoed, summary.notified = {}, {}
local function on_status(_, params)
  local text = (params.message ~= nil and params.message ~= "") and params.message or params.state
  if params.bestLabel then text = text .. " · best " .. params.bestLabel end
  vim.api.nvim_echo({ { "speedlens: " .. text } }, false, {})
  table.insert(summary.echoed, { state = params.state, text = "speedlens: " .. text })
end
local function on_result(err, result)
  local text = err and ("speedlens: " .. err.message)
    or ("speedlens: " .. result.message .. (result.bestLabel and (" · best " .. result.bestLabel) or ""))
  vim.notify(text, err and vim.log.levels.ERROR or vim.log.levels.INFO)
  table.insert(summary.notified, text)
  summary.optimize = result
end

local ok, err = pcall(function()
  vim.cmd("edit " .. vim.fn.fnameescape(file))
  local bufnr = vim.api.nvim_get_current_buf()
  local uri = vim.uri_from_bufnr(bufnr)

  local client_id = vim.lsp.start_client({
    name = "speedlens",
    cmd = cmd,
    root_dir = vim.fn.fnamemodify(file, ":p:h"),
    handlers = { ["speedlens/status"] = on_status },
  })
  assert(client_id, "vim.lsp.start_client failed")
  vim.lsp.buf_attach_client(bufnr, client_id)
  local started = vim.wait(60000, function()
    local c = vim.lsp.get_client_by_id(client_id)
    return c ~= nil and c.initialized == true
  end, 50)
  assert(started, "the server did not initialize within 60 s")
  local client = vim.lsp.get_client_by_id(client_id)
  step("initialized")

  client.request("workspace/executeCommand", { command = "speedlens.optimizeFile", arguments = { uri } },
    on_result, bufnr)
  assert(vim.wait(170000, function() return #summary.notified > 0 end, 50), "optimizeFile did not answer")
  assert(summary.optimize, "optimizeFile failed: " .. summary.notified[1])
  step("optimized")

  local line = 0
  for i, text in ipairs(vim.api.nvim_buf_get_lines(bufnr, 0, -1, false)) do
    if text:find("cin >>", 1, true) then line = i - 1; break end
  end
  local params = {
    textDocument = { uri = uri },
    range = { start = { line = line, character = 0 }, ["end"] = { line = line, character = 0 } },
    context = { diagnostics = {} },
  }
  local actions = client.request_sync("textDocument/codeAction", params, 30000, bufnr)
  assert(actions and not actions.err, "codeAction failed: " .. vim.inspect(actions and actions.err))
  local chosen
  for _, action in ipairs(actions.result or {}) do
    if action.edit and (chosen == nil or action.isPreferred) then chosen = action end
  end
  assert(chosen, "no code action with an edit: " .. vim.inspect(actions.result))
  summary.action = chosen.title
  step("code action")

  vim.lsp.util.apply_workspace_edit(chosen.edit, client.offset_encoding)
  vim.api.nvim_set_current_buf(bufnr)
  vim.cmd("write")
  step("written")
  client.stop()
  vim.wait(5000, function() return vim.lsp.get_client_by_id(client_id) == nil end, 50)
end)

if ok then finish(true, "done") else finish(false, tostring(err)) end
