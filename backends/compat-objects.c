/*
 * Backend objects that libvirt always writes and that mean little here.
 *
 * memory-backend-ram: libvirt sizes guest RAM with
 *   -object {"qom-type":"memory-backend-ram","id":"pc.ram","size":N}
 *   -machine ...,memory-backend=pc.ram
 * The machine reads "size" from it (see system/vl.c); the object itself
 * holds no memory: the machine's RAM region is the guest's memory.
 *
 * secret: libvirt passes its master key as
 *   -object {"qom-type":"secret","id":"masterKey0","format":"raw","file":P}
 * to decrypt other secrets (disk passwords, TLS keys) that this VMM never
 * needs.  The object checks its arguments and is otherwise inert; the
 * file is not read, so the key never enters this process's memory.
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "hw/qdev-properties.h"
#include "qom/object.h"

#define TYPE_MEMORY_BACKEND "memory-backend"
#define TYPE_MEMORY_BACKEND_RAM "memory-backend-ram"
#define TYPE_MEMORY_BACKEND_FILE "memory-backend-file"
#define TYPE_MEMORY_BACKEND_MEMFD "memory-backend-memfd"
#define TYPE_SECRET "secret"

typedef struct HostMemoryBackendRam {
    Object parent_obj;
    uint64_t size;
    bool share;
    bool prealloc;
    bool dump;
    bool merge;
    char *policy;
    char *host_nodes;
    char *mem_path;             /* memory-backend-file only */
    char *x_use_canonical_path_for_ramblock_id;
} HostMemoryBackendRam;

typedef struct SecretObject {
    Object parent_obj;
    char *format;
    char *file;
    char *data;
    char *keyid;
    char *iv;
} SecretObject;

static const Property memory_backend_file_props[] = {
    DEFINE_PROP_STRING("mem-path", HostMemoryBackendRam, mem_path),
    DEFINE_PROP_END_OF_LIST(),
};

static const Property memory_backend_ram_props[] = {
    DEFINE_PROP_SIZE("size", HostMemoryBackendRam, size, 0),
    DEFINE_PROP_BOOL("share", HostMemoryBackendRam, share, false),
    DEFINE_PROP_BOOL("prealloc", HostMemoryBackendRam, prealloc, false),
    DEFINE_PROP_BOOL("dump", HostMemoryBackendRam, dump, true),
    DEFINE_PROP_BOOL("merge", HostMemoryBackendRam, merge, true),
    DEFINE_PROP_STRING("policy", HostMemoryBackendRam, policy),
    DEFINE_PROP_STRING("host-nodes", HostMemoryBackendRam, host_nodes),
    DEFINE_PROP_STRING("x-use-canonical-path-for-ramblock-id",
                       HostMemoryBackendRam,
                       x_use_canonical_path_for_ramblock_id),
    DEFINE_PROP_END_OF_LIST(),
};

static void memory_backend_ram_complete(Object *obj, Error **errp)
{
    HostMemoryBackendRam *m = (HostMemoryBackendRam *)obj;

    if (!m->size) {
        error_setg(errp, "can't create backend with size 0");
    }
}

static void memory_backend_class_init(ObjectClass *oc, const void *data)
{
    object_class_add_props(oc, memory_backend_ram_props);
}

static void memory_backend_ram_class_init(ObjectClass *oc, const void *data)
{
    oc->user_creatable = true;
    oc->complete = memory_backend_ram_complete;
}

/*
 * File and memfd backends exist so that their properties can be listed
 * (libvirt asks); they cannot be created: guest RAM here is never
 * shared with another process or backed by a file.
 */
static void memory_backend_file_class_init(ObjectClass *oc, const void *data)
{
    object_class_add_props(oc, memory_backend_file_props);
}

static const Property secret_props[] = {
    DEFINE_PROP_STRING("format", SecretObject, format),
    DEFINE_PROP_STRING("file", SecretObject, file),
    DEFINE_PROP_STRING("data", SecretObject, data),
    DEFINE_PROP_STRING("keyid", SecretObject, keyid),
    DEFINE_PROP_STRING("iv", SecretObject, iv),
    DEFINE_PROP_END_OF_LIST(),
};

static void secret_complete(Object *obj, Error **errp)
{
    SecretObject *s = (SecretObject *)obj;

    if (!!s->file == !!s->data) {
        error_setg(errp, "exactly one of 'file' and 'data' must be set");
        return;
    }
    if (s->format && strcmp(s->format, "raw") && strcmp(s->format, "base64")) {
        error_setg(errp, "Parameter 'format' does not accept value '%s'",
                   s->format);
    }
}

static void secret_class_init(ObjectClass *oc, const void *data)
{
    oc->user_creatable = true;
    oc->complete = secret_complete;
    object_class_add_props(oc, secret_props);
}

static const TypeInfo compat_object_types[] = {
    {
        .name = TYPE_MEMORY_BACKEND,
        .parent = TYPE_OBJECT,
        .instance_size = sizeof(HostMemoryBackendRam),
        .class_init = memory_backend_class_init,
        .abstract = true,
    }, {
        .name = TYPE_MEMORY_BACKEND_RAM,
        .parent = TYPE_MEMORY_BACKEND,
        .class_init = memory_backend_ram_class_init,
    }, {
        .name = TYPE_MEMORY_BACKEND_FILE,
        .parent = TYPE_MEMORY_BACKEND,
        .class_init = memory_backend_file_class_init,
    }, {
        .name = TYPE_MEMORY_BACKEND_MEMFD,
        .parent = TYPE_MEMORY_BACKEND,
    }, {
        .name = TYPE_SECRET,
        .parent = TYPE_OBJECT,
        .instance_size = sizeof(SecretObject),
        .class_init = secret_class_init,
    },
};

DEFINE_TYPES(compat_object_types)
