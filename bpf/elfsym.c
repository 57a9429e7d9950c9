// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * librtslot-bpf: file offsets of a shared library's functions, for uprobes.
 * Resolved here rather than by libbpf so that two names of one function
 * (an alias) are seen as one place and probed once.
 */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

static int scan(Elf *e, Elf_Scn *scn, const GElf_Shdr *sh, const char *name,
		uint64_t *off)
{
	Elf_Data *data = elf_getdata(scn, NULL);
	GElf_Shdr tsh;
	GElf_Sym sym;
	size_t i, n;
	const char *s;

	if (!data || !sh->sh_entsize)
		return -ENOENT;
	n = sh->sh_size / sh->sh_entsize;
	for (i = 0; i < n; i++) {
		if (!gelf_getsym(data, (int)i, &sym))
			continue;
		if (GELF_ST_TYPE(sym.st_info) != STT_FUNC || !sym.st_value ||
		    sym.st_shndx == SHN_UNDEF)
			continue;
		s = elf_strptr(e, sh->sh_link, sym.st_name);
		if (!s || strcmp(s, name))
			continue;
		/* The address is virtual; uprobes want where it is in the file. */
		if (!gelf_getshdr(elf_getscn(e, sym.st_shndx), &tsh))
			return -EINVAL;
		*off = sym.st_value - tsh.sh_addr + tsh.sh_offset;
		return 0;
	}
	return -ENOENT;
}

int rb_elf_func_offset(const char *path, const char *name, uint64_t *off)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;
	Elf *e;
	int fd, ret = -ENOENT;

	if (elf_version(EV_CURRENT) == EV_NONE)
		return -EINVAL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	e = elf_begin(fd, ELF_C_READ, NULL);
	if (!e) {
		close(fd);
		return -ENOEXEC;
	}
	/* .dynsym first: what the loader resolves calls to. */
	while ((scn = elf_nextscn(e, scn)))
		if (gelf_getshdr(scn, &sh) && sh.sh_type == SHT_DYNSYM &&
		    !(ret = scan(e, scn, &sh, name, off)))
			goto out;
	while ((scn = elf_nextscn(e, scn)))
		if (gelf_getshdr(scn, &sh) && sh.sh_type == SHT_SYMTAB &&
		    !(ret = scan(e, scn, &sh, name, off)))
			goto out;
out:
	elf_end(e);
	close(fd);
	return ret;
}
