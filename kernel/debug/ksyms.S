// The final kernel's symbol table, generated from the stage-1 image by tools/gen-ksyms.
    .section .ksyms, "a"
    .incbin MNOS_KSYMS_BLOB
    .section .note.GNU-stack, "", @progbits
