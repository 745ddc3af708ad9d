// /data endpoints: upload, list, download, delete, exists (spec node.md §10.1).
#include <httplib.h>
#include <spdlog/spdlog.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>

#include "agent/api/allowed_methods.h"
#include "agent/api/api_context.h"
#include "agent/api/byte_range.h"
#include "agent/api/content_disposition.h"
#include "agent/api/mime_types.h"
#include "agent/api/routes.h"
#include "base/strings.h"
#include "exchange/dataset/dataset_delete.h"
#include "exchange/dataset/dataset_reader.h"
#include "exchange/dataset/dataset_writer.h"
#include "exchange/error.h"
#include "exchange/multiformats/multicodec.h"
#include "exchange/net/kad/dht.h"
#include "exchange/store/repo.h"

namespace codex::agent {
namespace {

using httplib::Request;
using httplib::Response;
using json = nlohmann::json;

// Blocks sent per content-provider call: fewer calls, bounded memory.
constexpr uint64_t kBlocksPerWrite = 4;

// The declared body length, when the request has one. Throws FormatError for
// a Content-Length that is not a plain decimal uint64 (httplib would read a
// negative or huge one as "until the connection closes").
std::optional<uint64_t> declared_length(const Request& req) {
  if (!req.has_header("Content-Length")) return std::nullopt;
  std::string v = req.get_header_value("Content-Length");
  auto n = base::parse_decimal<uint64_t>(v);
  if (!n) throw FormatError("invalid Content-Length '" + v.substr(0, 40) + "'");
  return n;
}

void upload(ApiContext& ctx, const Request& req, Response& res,
            const httplib::ContentReader& reader) {
  std::optional<uint64_t> length;
  try {
    length = declared_length(req);
  } catch (const FormatError& e) {
    // The body's end is unknown: the connection cannot carry another request.
    res.set_header("Connection", "close");
    return reply_text(res, 400, e.what());
  }
  // Without a length or chunking the body ends where the connection does,
  // so a cut-off upload would look complete (RFC 9112 §6.3: 411).
  const bool chunked =
      req.get_header_value("Transfer-Encoding").find("chunked") != std::string::npos;
  if (!length && !chunked) {
    res.set_header("Connection", "close");
    return reply_text(res, 411, "Content-Length or chunked body required.");
  }
  // Destroyed before finish(), the writer deletes what it stored at once.
  DatasetWriter writer(ctx.repo, ctx.block_size);
  if (req.has_header("Content-Type")) {
    std::string type = req.get_header_value("Content-Type");
    if (!is_known_mime_type(type))
      return reply_text(res, 422, "The MIME type '" + type + "' is not valid.");
    writer.set_mimetype(normalise_mime_type(type));
  }
  if (req.has_header("Content-Disposition")) {
    auto name = filename_from_content_disposition(req.get_header_value("Content-Disposition"));
    if (!name) return reply_text(res, 422, "The filename is not valid.");
    writer.set_filename(*name);
  }
  std::exception_ptr failure;
  bool whole = reader([&](const char* data, size_t len) {
    try {
      writer.write({reinterpret_cast<const uint8_t*>(data), len});
      return true;
    } catch (...) {
      failure = std::current_exception();
      return false;  // stop reading the body
    }
  });
  try {
    if (failure) std::rethrow_exception(failure);
    // A body shorter than declared, cut by the connection, or chunked
    // without its last chunk is not the file: never a dataset.
    if (!whole || (length && writer.bytes_written() != *length)) {
      spdlog::warn("api: upload cut off after {} bytes{}; discarded", writer.bytes_written(),
                   length ? " of " + std::to_string(*length) : std::string());
      res.set_header("Connection", "close");
      return reply_text(res, 400, "The upload body is incomplete.");
    }
    if (writer.bytes_written() == 0) return reply_text(res, 422, "The upload is empty.");
    Cid cid = writer.finish();
    spdlog::info("api: stored {} bytes as {}", writer.bytes_written(), cid.to_string());
    if (ctx.dht) ctx.dht->announce(cid);  // provided now, and again every 30 min
    reply_text(res, 200, cid.to_string());
  } catch (const QuotaError& e) {
    reply_text(res, 422, std::string("Not enough storage quota: ") + e.what());
  } catch (...) {
    reply_error(res);
  }
}

void download(ApiContext& ctx, const Request& req, Response& res) {
  Cid cid = Cid::parse(req.matches[1].str());
  auto reader = std::make_shared<DatasetReader>(ctx.repo, cid);
  const Manifest& m = reader->manifest();
  std::string type = m.mimetype.value_or("application/octet-stream");
  if (m.filename) res.set_header("Content-Disposition", content_disposition(*m.filename));
  res.set_header("Accept-Ranges", "bytes");
  const uint64_t size = reader->size();
  ByteRange range = parse_byte_range(req.get_header_value("Range"), size);
  if (std::holds_alternative<UnsatisfiableRange>(range)) {
    res.set_header("Content-Range", "bytes */" + std::to_string(size));
    return reply_text(
        res, 416,
        "The range is not satisfiable: the dataset has " + std::to_string(size) + " bytes.");
  }
  uint64_t first = 0, length = size;
  if (auto* r = std::get_if<SatisfiableRange>(&range)) {
    first = r->first;
    length = r->length();
    res.status = 206;
    res.set_header("Content-Range", "bytes " + std::to_string(r->first) + "-" +
                                        std::to_string(r->last) + "/" + std::to_string(size));
  }
  // Read the first block now so that a missing block is a 404/500, not a cut stream.
  if (reader->blocks() > 0) (void)reader->read_block(first / reader->block_size());
  // httplib asks for [offset, length) of the range; `first` maps it onto the
  // dataset. A block that vanishes meanwhile (deleted, expired) ends this
  // response, cut short; the client sees fewer bytes than Content-Length.
  res.set_content_provider(
      length, type, [reader, first, length, cid](size_t offset, size_t, httplib::DataSink& sink) {
        try {
          uint64_t bs = reader->block_size();
          uint64_t pos = first + offset;
          uint64_t end = first + length;
          uint64_t block = pos / bs;
          uint64_t skip = pos % bs;
          for (uint64_t n = 0; n < kBlocksPerWrite && pos < end; ++n, ++block) {
            std::string data, error;  // a corrupt block ends the response: a failed transfer
            if (!reader->read_block_into(block, data, &error)) {
              spdlog::error("api: download of {} cut at block {}: {}", cid.to_string(), block,
                            error);
              return false;
            }
            if (skip >= data.size()) return false;  // no progress: never loop on it
            uint64_t take = std::min<uint64_t>(data.size() - skip, end - pos);
            if (!sink.write(data.data() + skip, take)) return false;
            pos += take;
            skip = 0;
          }
          return true;
        } catch (const std::exception& e) {
          spdlog::warn("api: download of {} cut short: {}", cid.to_string(), e.what());
          return false;
        }
      });
}

void remove(ApiContext& ctx, const Request& req, Response& res) {
  Cid cid = Cid::parse(req.matches[1].str());
  if (cid.codec() == multicodec::kManifest) {
    // Leaves and blocks another dataset or an upload uses stay.
    if (delete_dataset(ctx.repo, cid)) spdlog::info("api: deleted dataset {}", cid.to_string());
  } else {
    ctx.repo.delete_block(cid);
  }
  res.status = 204;
}

}  // namespace

json manifest_json(const Manifest& m) {
  json j = {{"treeCid", m.tree_cid.to_string()},
            {"datasetSize", m.dataset_size},
            {"blockSize", m.block_size},
            {"protected", m.is_protected()}};
  if (m.filename) j["filename"] = *m.filename;
  if (m.mimetype) j["mimetype"] = *m.mimetype;
  if (m.erasure) {
    j["ecK"] = m.erasure->ec_k;
    j["ecM"] = m.erasure->ec_m;
    j["originalTreeCid"] = m.erasure->original_tree_cid.to_string();
    j["originalDatasetSize"] = m.erasure->original_dataset_size;
    if (m.erasure->verification) {
      j["verifyRoot"] = m.erasure->verification->verify_root.to_string();
      json roots = json::array();
      for (const Cid& c : m.erasure->verification->slot_roots)
        roots.push_back(c.to_string());
      j["slotRoots"] = roots;
    }
  }
  return j;
}

// Content-Disposition for a stored name: quotes and backslashes escaped,
// control characters dropped (a name stored by an older build may hold any byte).
std::string content_disposition(const std::string& name) {
  std::string quoted;
  for (unsigned char c : name) {
    if (c < 0x20 || c == 0x7f) continue;
    if (c == '"' || c == '\\') quoted.push_back('\\');
    quoted.push_back(char(c));
  }
  return "attachment; filename=\"" + quoted + "\"";
}

void register_data_routes(httplib::Server& s, ApiContext& ctx, AllowedMethods& allowed) {
  const std::string base = kApiBase;
  const std::string data = base + "/data", item = base + R"(/data/([^/]+))",
                    exists = base + R"(/data/([^/]+)/exists)";
  allowed.add("POST", data);
  allowed.add("GET", data);
  allowed.add("GET", item);
  allowed.add("DELETE", item);
  allowed.add("GET", exists);
  s.Post(base + "/data",
         [&ctx](const Request& req, Response& res, const httplib::ContentReader& reader) {
           upload(ctx, req, res, reader);
         });
  s.Get(data, [&ctx](const Request&, Response& res) {
    json content = json::array();
    for (const Cid& cid : ctx.repo.manifests()) {
      try {
        content.push_back(
            {{"cid", cid.to_string()}, {"manifest", manifest_json(load_manifest(ctx.repo, cid))}});
      } catch (const std::exception& e) {
        spdlog::warn("api: skipping unreadable manifest {}: {}", cid.to_string(), e.what());
      }
    }
    reply_json(res, json{{"content", content}});
  });
  s.Get(item, [&ctx](const Request& req, Response& res) {
    try {
      download(ctx, req, res);
    } catch (...) {
      reply_error(res);
    }
  });
  s.Delete(base + R"(/data/([^/]+))", [&ctx](const Request& req, Response& res) {
    try {
      remove(ctx, req, res);
    } catch (const StoreError& e) {
      reply_text(res, 500, e.what());
    } catch (...) {
      reply_error(res);
    }
  });
  s.Get(exists, [&ctx](const Request& req, Response& res) {
    try {
      Cid cid = Cid::parse(req.matches[1].str());
      reply_json(res, json{{cid.to_string(), ctx.repo.has_block(cid)}});
    } catch (...) {
      reply_error(res);
    }
  });
  if (ctx.cors_origin) {
    auto ok = [](const Request&, Response& res) { res.status = 204; };
    s.Options(data, ok);
    s.Options(item, ok);
    allowed.add("OPTIONS", data);
    allowed.add("OPTIONS", item);
  }
}

}  // namespace codex::agent
