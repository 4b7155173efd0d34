// Stage-1 symbol table: a valid, empty table, so the stage-1 image has the same layout.
    .section .ksyms, "a"
    .ascii "KSYM"
    .long 0
    .section .note.GNU-stack, "", @progbits
