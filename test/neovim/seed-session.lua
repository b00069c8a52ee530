-- Drives tcpdump Lens's language server from Neovim's own LSP client (no plugins: nvim --clean).
-- Inputs (environment): LENS_NODE (node binary), LENS_SERVER (dist/server.js), LENS_CAPTURE (file
-- to open), LENS_SETTINGS (JSON for the `tcpdumpLens` section), LENS_HOVER_LINE (0-based),
-- LENS_OUT (where to write the JSON result). Always writes LENS_OUT and quits, even on error,
-- so the mocha test reports what went wrong instead of timing out.
local result = { diagnostics = nil, hover = nil, errors = {} }
local out_path = os.getenv('LENS_OUT')

local function finish()
  local f = io.open(out_path, 'w')
  f:write(vim.fn.json_encode(result))
  f:close()
  vim.cmd('qa!')
end

local function main()
  local settings = vim.fn.json_decode(os.getenv('LENS_SETTINGS') or '{}')
  local capture = os.getenv('LENS_CAPTURE')
  vim.cmd('edit ' .. vim.fn.fnameescape(capture))
  local bufnr = vim.api.nvim_get_current_buf()
  local uri = vim.uri_from_bufnr(bufnr)

  -- Neovim 0.7 answers workspace/configuration (from `settings` below) but does not announce it,
  -- and the server only pulls settings from clients that announce it: say so, as 0.8+ does.
  local capabilities = vim.lsp.protocol.make_client_capabilities()
  capabilities.workspace.configuration = true

  local client_id = vim.lsp.start_client({
    name = 'tcpdump-lens',
    cmd = { os.getenv('LENS_NODE'), os.getenv('LENS_SERVER'), '--stdio' },
    root_dir = vim.fn.fnamemodify(capture, ':h'),
    capabilities = capabilities,
    settings = { tcpdumpLens = settings },
    handlers = {
      ['textDocument/publishDiagnostics'] = function(err, params)
        if err then table.insert(result.errors, vim.inspect(err)) end
        if params and params.uri == uri then result.diagnostics = params.diagnostics end
      end,
    },
    on_exit = function(code, signal)
      if code ~= 0 then table.insert(result.errors, 'server exited with ' .. code .. '/' .. signal) end
    end,
  })
  if not client_id then
    table.insert(result.errors, 'start_client failed')
    return
  end
  vim.lsp.buf_attach_client(bufnr, client_id)

  if not vim.wait(10000, function() return result.diagnostics ~= nil end, 20) then
    table.insert(result.errors, 'no textDocument/publishDiagnostics within 10 s')
  end

  local client = vim.lsp.get_client_by_id(client_id)
  local hover_done = false
  client.request('textDocument/hover', {
    textDocument = { uri = uri },
    position = { line = tonumber(os.getenv('LENS_HOVER_LINE') or '1'), character = 0 },
  }, function(err, hover)
    if err then table.insert(result.errors, 'hover: ' .. vim.inspect(err)) end
    result.hover = hover or vim.NIL
    hover_done = true
  end, bufnr)
  if not vim.wait(10000, function() return hover_done end, 20) then
    table.insert(result.errors, 'no hover answer within 10 s')
  end
  client.stop()
end

local ok, err = pcall(main)
if not ok then table.insert(result.errors, tostring(err)) end
finish()
