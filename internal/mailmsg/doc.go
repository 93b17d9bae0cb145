// Package mailmsg is the one model of a mail message that every page reads:
// its header fields, decoded (Envelope: subject, addresses, date, ids), and
// its MIME structure (Read, OpenPart). It is lenient where real mail is
// broken, never fails and never panics: damaged input gives what could be
// read, with Issues saying what went wrong.
//
// # Part IDs
//
// Parts are named by dotted section numbers as IMAP numbers them (RFC 3501
// section 6.4.5): the children of a multipart are numbered from 1 below the
// multipart's own number, and the message itself has no number, so the
// parts of a top-level multipart are "1", "2", ... and the body of a
// single-part message is "1". A message/rfc822 part keeps its own number
// ("2") for the attached message as a whole; the parts of the attached
// message are numbered below it exactly as for a top-level message: "2.1",
// "2.2", ... when it is a multipart, and "2.1" for its body when it is not.
// Read and OpenPart number parts the same way.
//
// # Charsets
//
// A charset label is looked up as browsers do (the WHATWG index), then in
// IANA's registry, after common misspellings and RFC 2231 language tags
// are put right. Labels that promise nothing (unknown-8bit, x-unknown,
// us-ascii with 8-bit bytes) and unknown charsets are read as UTF-8 when
// valid, else as Latin-1 (in bodies through its Windows-1252 superset).
// Raw 8-bit header text is read in the charset the message declares for
// its body, as mail clients do.
package mailmsg
