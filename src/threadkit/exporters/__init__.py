"""Move a whole site out of threadkit: lossless JSON Lines, or WordPress WXR.

* :func:`threadkit.exporters.site.dump_site` / :func:`~threadkit.exporters.site.load_site`:
  every thread, comment (any status) and vote, read back byte for byte
  (``threadkit-export`` and ``threadkit-import threadkit`` from a shell).
* :func:`threadkit.exporters.wxr.dump_wxr`: a WordPress WXR 1.2 file that
  WordPress (and :func:`threadkit.importers.wordpress.read_wordpress`) reads.

Both need a :class:`threadkit.ports.SiteStore` (MemoryStore and the SQL store
are). See ``docs/importing.md``.
"""

from .progress import Progress
from .site import FORMAT, VERSION, SiteCounts, dump_site, load_site

__all__ = ["FORMAT", "VERSION", "Progress", "SiteCounts", "dump_site", "load_site"]
