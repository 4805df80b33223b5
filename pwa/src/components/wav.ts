// A WAV recorder for browsers without MediaRecorder (older WeChat/X5 builds): Web Audio PCM
// written as 16-bit mono WAV, which the backend accepts as a voice note or call recording.
export function encodeWav(chunks: Float32Array[], sampleRate: number): Blob {
  const length = chunks.reduce((n, c) => n + c.length, 0)
  const buffer = new ArrayBuffer(44 + length * 2)
  const view = new DataView(buffer)
  const text = (offset: number, s: string) => [...s].forEach((ch, i) => view.setUint8(offset + i, ch.charCodeAt(0)))
  text(0, 'RIFF')
  view.setUint32(4, 36 + length * 2, true)
  text(8, 'WAVE')
  text(12, 'fmt ')
  view.setUint32(16, 16, true)
  view.setUint16(20, 1, true)
  view.setUint16(22, 1, true)
  view.setUint32(24, sampleRate, true)
  view.setUint32(28, sampleRate * 2, true)
  view.setUint16(32, 2, true)
  view.setUint16(34, 16, true)
  text(36, 'data')
  view.setUint32(40, length * 2, true)
  let offset = 44
  for (const chunk of chunks) {
    for (const sample of chunk) {
      const s = Math.max(-1, Math.min(1, sample))
      view.setInt16(offset, s < 0 ? s * 0x8000 : s * 0x7fff, true)
      offset += 2
    }
  }
  return new Blob([buffer], { type: 'audio/wav' })
}

export interface Recorder {
  stop(): Promise<Blob>
}

export async function startRecording(): Promise<Recorder> {
  const stream = await navigator.mediaDevices.getUserMedia({ audio: true })
  const done = () => stream.getTracks().forEach((t) => t.stop())
  if (typeof MediaRecorder !== 'undefined') {
    const recorder = new MediaRecorder(stream)
    const parts: Blob[] = []
    recorder.ondataavailable = (e) => parts.push(e.data)
    recorder.start()
    return {
      stop: () =>
        new Promise((resolve) => {
          recorder.onstop = () => {
            done()
            resolve(new Blob(parts, { type: recorder.mimeType || 'audio/webm' }))
          }
          recorder.stop()
        }),
    }
  }
  const context = new AudioContext()
  const source = context.createMediaStreamSource(stream)
  const processor = context.createScriptProcessor(4096, 1, 1)
  const chunks: Float32Array[] = []
  processor.onaudioprocess = (e) => chunks.push(new Float32Array(e.inputBuffer.getChannelData(0)))
  source.connect(processor)
  processor.connect(context.destination)
  return {
    async stop() {
      processor.disconnect()
      source.disconnect()
      done()
      await context.close()
      return encodeWav(chunks, context.sampleRate)
    },
  }
}
