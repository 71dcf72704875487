// mimalloc's options, which the server sets at startup (Allocator.swift). Linking this module is
// also what makes mimalloc the whole process's malloc (Package.swift, serverAllocator).
#include <mimalloc.h>
