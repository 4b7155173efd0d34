// Error codes shared by the kernel, userspace and the host tests.
// A syscall returns a non-negative value on success and -code on failure (see abi/syscall.h).
#pragma once

#include <cstdint>

namespace mnos {

enum class Error : int32_t {
    InvalidArgument = 1, // an argument is out of range or inconsistent
    OutOfMemory = 2,     // no physical frame or heap block was available
    NotFound = 3,        // the named thing does not exist
    Malformed = 4,       // an input structure (ELF, tar, ACPI table, boot info) failed validation
    Overflow = 5,        // a size or address computation would overflow
    BadAddress = 6,      // a pointer is outside the caller's mapped user half
    EmptySlot = 7,       // the capability slot holds nothing
    WrongType = 8,       // the capability slot holds another type of object
    MissingRights = 9,   // the capability lacks a right the operation needs
    SlotInUse = 10,      // the destination capability slot is occupied
    NoSlot = 11,         // the slot index is outside the CNode, or the CNode is full
    Busy = 12,           // the object is held by someone else
    Unsupported = 13,    // valid, but not implemented by this kernel or this hardware
    Exists = 14,         // the thing to create is already there
    Timeout = 15,        // a deadline passed first
    DoubleFree = 16,     // a free of something that was not allocated
    PeerGone = 17,       // the other side of an IPC ended: the server owing a reply, or the caller
    DeviceError = 18,    // the device reported that the operation failed (a disk's I/O error)
};

constexpr const char* error_name(Error e) {
    switch (e) {
    case Error::InvalidArgument: return "invalid argument";
    case Error::OutOfMemory: return "out of memory";
    case Error::NotFound: return "not found";
    case Error::Malformed: return "malformed input";
    case Error::Overflow: return "overflow";
    case Error::BadAddress: return "bad address";
    case Error::EmptySlot: return "empty slot";
    case Error::WrongType: return "wrong capability type";
    case Error::MissingRights: return "missing rights";
    case Error::SlotInUse: return "slot in use";
    case Error::NoSlot: return "no such slot";
    case Error::Busy: return "busy";
    case Error::Unsupported: return "unsupported";
    case Error::Exists: return "already exists";
    case Error::Timeout: return "timed out";
    case Error::DoubleFree: return "double free";
    case Error::PeerGone: return "peer gone";
    case Error::DeviceError: return "device error";
    }
    return "unknown error";
}

} // namespace mnos
