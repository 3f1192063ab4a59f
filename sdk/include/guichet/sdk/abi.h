/*
 * Guichet connector ABI, version 1: the only thing that crosses the plugin boundary.
 *
 * A connector is a shared object exporting one C function, GUICHET_CONNECTOR_ENTRY, that returns a
 * table of function pointers. Everything else crosses as UTF-8 JSON text (pointer + length); no C++
 * type, no exception and no allocation ever crosses. Each side frees only what it allocated:
 * buffers a connector fills are released with its own free_buffer; buffers the host fills are
 * released with the host's free_buffer.
 *
 * Compatibility: a table starts with its own size. Version 1.x only ever appends fields at the end,
 * so a host reading an older, shorter table treats the missing tail as NULL. An incompatible change
 * bumps GUICHET_ABI_MAJOR and the entry symbol name.
 *
 * Thread-safety: the host may call one instance from several threads at once; a connector that
 * keeps mutable state guards it itself. Host services may be called from any thread.
 */
#ifndef GUICHET_SDK_ABI_H
#define GUICHET_SDK_ABI_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define GUICHET_ABI_MAJOR 1
#define GUICHET_ABI_MINOR 1
#define GUICHET_CONNECTOR_ENTRY "guichet_connector_entry_v1"

#if defined(__GNUC__)
#define GUICHET_EXPORT __attribute__((visibility("default")))
#else
#define GUICHET_EXPORT
#endif

/* Status of every call. Anything but GUICHET_OK carries a JSON {"message": "..."} in `out`. */
typedef enum guichet_status {
  GUICHET_OK = 0,
  GUICHET_ERROR = 1,          /* the call failed; `out` says why */
  GUICHET_UNSUPPORTED = 2,    /* the capability is not offered */
  GUICHET_BAD_INPUT = 3       /* the JSON given could not be understood */
} guichet_status;

/* A buffer filled by one side and released by the same side's free_buffer. */
typedef struct guichet_buffer {
  char* data;
  size_t size;
} guichet_buffer;

typedef enum guichet_log_level {
  GUICHET_LOG_DEBUG = 0,
  GUICHET_LOG_INFO = 1,
  GUICHET_LOG_WARNING = 2,
  GUICHET_LOG_ERROR = 3
} guichet_log_level;

/*
 * Services the hub gives a connector instance. The hub owns every side effect: a connector never
 * opens a socket, reads a file or a clock of its own. `ctx` is passed back on every call; it
 * identifies the instance, which is how the hub restricts HTTP to the hosts the instance declared.
 */
typedef struct guichet_host_v1 {
  uint32_t struct_size;
  void* ctx;
  /* HTTP exchange. Request JSON: {"method","url","headers":{},"body":"...","timeout_ms"}.
   * Response JSON: {"status":201,"headers":{},"body":"..."}; a transport failure (refused,
   * timeout, host not declared) returns GUICHET_ERROR with {"message","transient":true|false}. */
  int (*http)(void* ctx, const char* request, size_t request_size, guichet_buffer* out);
  /* Mail submission. Message JSON: {"to":[..],"subject","text","idempotency_key","correlation",
   * "attachments":[{"filename","content_type","content"}]}. The hub derives Message-ID from the
   * idempotency key and Reply-To from the correlation reference, so replies find their request.
   * An attachment holds UTF-8 text as "content" or bytes (a PDF) as "content_base64", never both.
   * Response JSON: {"accepted":true} or GUICHET_ERROR with {"message","transient":true|false}. */
  int (*send_mail)(void* ctx, const char* message, size_t message_size, guichet_buffer* out);
  /* Logs one line under the instance's name. Never pass personal data: use ids. */
  void (*log)(void* ctx, int level, const char* text, size_t text_size);
  /* Milliseconds since the Unix epoch, from the hub's clock (tests may move it). */
  int64_t (*now_ms)(void* ctx);
  /* Looks a secret up by name (e.g. "caf-95.client_secret"); the value is in `out`, as raw text. */
  int (*secret)(void* ctx, const char* name, size_t name_size, guichet_buffer* out);
  /* Releases a buffer the host filled. */
  void (*free_buffer)(void* ctx, guichet_buffer* buffer);
} guichet_host_v1;

/*
 * One connector. Every operation takes JSON in and fills `out` with JSON; an operation the
 * connector does not offer is NULL. See connector.hpp for the JSON shapes.
 */
typedef struct guichet_connector_v1 {
  uint32_t struct_size;
  uint32_t abi_major;
  uint32_t abi_minor;
  const char* id;       /* static, equal to the manifest's "id" */
  const char* version;  /* static, equal to the manifest's "version" */

  /* Creates an instance from its settings (already validated against the manifest's schema). */
  int (*create)(const guichet_host_v1* host, const char* settings, size_t settings_size,
                void** instance, guichet_buffer* out);
  void (*destroy)(void* instance);

  /* What would be sent for a dispatch, computed without any host call (golden tests, preview). */
  int (*render)(void* instance, const char* dispatch, size_t size, guichet_buffer* out);
  /* Delivers a dispatch to the agency through the host services; returns an outcome. */
  int (*deliver)(void* instance, const char* dispatch, size_t size, guichet_buffer* out);
  /* Tells the agency a request is withdrawn; returns an outcome. */
  int (*withdraw)(void* instance, const char* dispatch, size_t size, guichet_buffer* out);
  /* Asks the agency what changed since a cursor; returns events and the next cursor. */
  int (*poll)(void* instance, const char* query, size_t size, guichet_buffer* out);
  /* Reads an agency's webhook call; returns whether it is authentic, and events. */
  int (*on_inbound)(void* instance, const char* call, size_t size, guichet_buffer* out);
  /* Reads an agency's email reply; returns events, or asks for a human review. */
  int (*on_email)(void* instance, const char* email, size_t size, guichet_buffer* out);

  /* Releases a buffer this connector filled. */
  void (*free_buffer)(guichet_buffer* buffer);

  /* Since 1.1. Carries the référent's answer to the agency's question (state info_requested);
   * returns an outcome. A 1.0 table ends before this field: the host reads it only when
   * struct_size covers it. */
  int (*answer)(void* instance, const char* dispatch, size_t size, guichet_buffer* out);
} guichet_connector_v1;

/* The one exported symbol. `host_abi_major` lets a connector refuse a host it does not know. */
typedef const guichet_connector_v1* (*guichet_connector_entry_fn)(uint32_t host_abi_major);

#ifdef __cplusplus
}
#endif

#endif /* GUICHET_SDK_ABI_H */
