package conference

// DefaultTitle is the title of the default conference.
const DefaultTitle = "Linux Plumbers Conference 2011"

// Default returns the conference confpad creates when it is started without
// a program: the sixteen microconferences of the Linux Plumbers Conference
// 2011, with slug ids and short descriptions. Times and rooms are left
// empty. Anyone may start BoF sessions. Each call returns a fresh copy that the caller may change.
func Default() Program {
	return Program{
		Title: DefaultTitle,
		BoFs:  true,
		Sessions: []Session{
			{ID: "audio", Title: "Audio",
				Description: "The Linux sound stack from drivers to desktop sound servers. How to make audio just work across many devices, with embedded and phone hardware as the hardest case."},
			{ID: "bufferbloat-and-networking", Title: "Bufferbloat and Networking",
				Description: "Oversized packet buffers trade latency for throughput and leave TCP without timely feedback. Active queue management, lower latency and better network design across the whole stack."},
			{ID: "cloud", Title: "Cloud",
				Description: "The parts of cloud computing that reach down into kernel and system plumbing: distributed file systems, replicated storage, availability, and accounting hooks in the kernel."},
			{ID: "containers-and-cgroups", Title: "Containers and Cgroups",
				Description: "Open questions in Linux containers: checkpoint and restart, memory and I/O control groups, new namespaces, and NFS inside containers."},
			{ID: "desktop", Title: "Desktop",
				Description: "The plumbing under the Linux desktop, graphics and video included: what the layers below need to give desktop environments."},
			{ID: "development-tools", Title: "Development Tools",
				Description: "Tools that help kernel developers and maintainers cope with a huge, highly configurable code base: finding bugs, understanding code and changing it at scale, and which tools are still missing."},
			{ID: "early-boot-and-init-systems", Title: "Early Boot and Init Systems",
				Description: "Getting from power-on to a running system quickly and reliably: init systems such as systemd, udev, initramfs builders like dracut, and boot time."},
			{ID: "embedded-build-systems", Title: "Embedded Build Systems",
				Description: "Build environments for embedded Linux, such as OpenEmbedded and the Yocto Project: keeping them current and supporting a large variety of boards."},
			{ID: "file-and-storage-systems", Title: "File and Storage Systems",
				Description: "File systems and storage from the kernel to user space: tuning, benchmarking and administration, for classic disks and newer devices alike."},
			{ID: "mobile", Title: "Mobile",
				Description: "Linux on phones and tablets: power use, performance work that matters most on small devices, graphics stacks, and what the mobile platforms could share."},
			{ID: "power-management", Title: "Power Management",
				Description: "Saving power in the kernel on servers, desktops and mobile devices: idle power, runtime power management of devices, power domains, and suspend and resume."},
			{ID: "real-time", Title: "Real Time",
				Description: "The PREEMPT_RT patch set: what has reached the mainline kernel, what is still out of tree, and how to finish the job."},
			{ID: "scaling", Title: "Scaling",
				Description: "Making Linux scale up to many cores and down to small multicore devices at the same time: lock contention, memory and cache footprint, and offload hardware such as GPUs."},
			{ID: "tracing", Title: "Tracing",
				Description: "Seeing what the kernel and applications really do: how ftrace, perf, LTTng and SystemTap can work together, and the kernel infrastructure they share."},
			{ID: "unified-memory-management", Title: "Unified Memory Management",
				Description: "One memory management answer for GPUs and multimedia devices on embedded systems-on-chip: contiguous allocation, DMA mapping, and sharing buffers between devices without copies."},
			{ID: "virtualization", Title: "Virtualization",
				Description: "Virtualization across projects rather than for one hypervisor: KVM, Xen, QEMU and containers, I/O performance, live migration, guest agents and management tools."},
		},
	}
}
