#include "lib/pci/class_names.h"

namespace lib::pci {

namespace {

struct Name {
    uint8_t class_code;
    uint8_t subclass;
    const char* name;
};

// Subclass 0xff is the class's own name (its "other" subclass is 0x80).
constexpr uint8_t CLASS_ITSELF = 0xff;

constexpr Name NAMES[] = {
    {0x00, CLASS_ITSELF, "unclassified device"},
    {0x00, 0x01, "VGA-compatible unclassified device"},
    {0x01, CLASS_ITSELF, "mass storage controller"},
    {0x01, 0x00, "SCSI controller"},
    {0x01, 0x01, "IDE controller"},
    {0x01, 0x02, "floppy controller"},
    {0x01, 0x04, "RAID controller"},
    {0x01, 0x05, "ATA controller"},
    {0x01, 0x06, "SATA controller"},
    {0x01, 0x07, "SAS controller"},
    {0x01, 0x08, "NVM Express controller"},
    {0x01, 0x80, "mass storage controller"},
    {0x02, CLASS_ITSELF, "network controller"},
    {0x02, 0x00, "Ethernet controller"},
    {0x02, 0x80, "network controller"},
    {0x03, CLASS_ITSELF, "display controller"},
    {0x03, 0x00, "VGA controller"},
    {0x03, 0x01, "XGA controller"},
    {0x03, 0x02, "3D controller"},
    {0x03, 0x80, "display controller"},
    {0x04, CLASS_ITSELF, "multimedia controller"},
    {0x04, 0x00, "video controller"},
    {0x04, 0x01, "audio controller"},
    {0x04, 0x03, "audio device"},
    {0x05, CLASS_ITSELF, "memory controller"},
    {0x05, 0x00, "RAM controller"},
    {0x06, CLASS_ITSELF, "bridge"},
    {0x06, 0x00, "host bridge"},
    {0x06, 0x01, "ISA bridge"},
    {0x06, 0x02, "EISA bridge"},
    {0x06, 0x04, "PCI-to-PCI bridge"},
    {0x06, 0x07, "CardBus bridge"},
    {0x06, 0x80, "bridge"},
    {0x07, CLASS_ITSELF, "communication controller"},
    {0x07, 0x00, "serial controller"},
    {0x07, 0x01, "parallel controller"},
    {0x08, CLASS_ITSELF, "system peripheral"},
    {0x08, 0x00, "interrupt controller"},
    {0x08, 0x01, "DMA controller"},
    {0x08, 0x02, "timer"},
    {0x08, 0x03, "RTC"},
    {0x08, 0x05, "SD host controller"},
    {0x08, 0x06, "IOMMU"},
    {0x08, 0x80, "system peripheral"},
    {0x09, CLASS_ITSELF, "input device controller"},
    {0x0a, CLASS_ITSELF, "docking station"},
    {0x0b, CLASS_ITSELF, "processor"},
    {0x0c, CLASS_ITSELF, "serial bus controller"},
    {0x0c, 0x00, "FireWire controller"},
    {0x0c, 0x03, "USB controller"},
    {0x0c, 0x05, "SMBus controller"},
    {0x0d, CLASS_ITSELF, "wireless controller"},
    {0x0e, CLASS_ITSELF, "intelligent controller"},
    {0x0f, CLASS_ITSELF, "satellite communication controller"},
    {0x10, CLASS_ITSELF, "encryption controller"},
    {0x11, CLASS_ITSELF, "signal processing controller"},
    {0x12, CLASS_ITSELF, "processing accelerator"},
    {0x13, CLASS_ITSELF, "non-essential instrumentation"},
    {0xff, CLASS_ITSELF, "vendor-specific device"},
};

// USB host controllers are told apart by their programming interface.
const char* usb_name(uint8_t prog_if) {
    switch (prog_if) {
    case 0x00: return "USB UHCI controller";
    case 0x10: return "USB OHCI controller";
    case 0x20: return "USB EHCI controller";
    case 0x30: return "USB xHCI controller";
    default: return nullptr;
    }
}

const char* lookup(uint8_t class_code, uint8_t subclass) {
    for (const Name& n : NAMES)
        if (n.class_code == class_code && n.subclass == subclass)
            return n.name;
    return nullptr;
}

} // namespace

const char* class_name(uint8_t class_code, uint8_t subclass, uint8_t prog_if) {
    if (class_code == 0x0c && subclass == 0x03)
        if (const char* usb = usb_name(prog_if))
            return usb;
    if (const char* name = subclass != CLASS_ITSELF ? lookup(class_code, subclass) : nullptr)
        return name;
    if (const char* name = lookup(class_code, CLASS_ITSELF))
        return name;
    return "unknown class";
}

} // namespace lib::pci
